"""What the staff pages' JSON endpoints share: who may call them, how a refusal looks
(``{"error": "<a sentence in Chinese>"}`` with its status), and how a time is sent (ISO
with the office's offset, and as people read it, so the script never converts zones)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, jsonify

from episodes.models import as_utc
from web.security import STAFF_ROLES

STAFF = STAFF_ROLES


def error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


def local_iso(moment: datetime | str | None) -> dict | None:
    """``{"iso": "2026-11-30T12:10:00+08:00", "text": "2026年11月30日 12:10"}``."""
    if not moment:
        return None
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = as_utc(moment).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return {"iso": local.isoformat(timespec="seconds"), "text": local.strftime("%Y年%m月%d日 %H:%M")}
