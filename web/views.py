"""The view beacon: ``site.js`` posts ``{"episode": ID, "watched": SECONDS}`` once the
viewer has watched enough; the rules live in :mod:`episodes.views`.

Every bad beacon is a 400 with a one-line reason, never a 500. A counted view is
committed (SQLite ``synchronous=FULL``) before the response leaves, so an accepted
beacon survives a crash. The beacon needs no CSRF token: it carries no one's
authority, and requiring ``application/json`` already keeps other sites from
posting it (a cross-site JSON post needs a CORS preflight we never grant).
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, jsonify, request

from episodes.models import Episode
from episodes.views import countable, daily_salt, is_bot, plausible, record_view, viewer_id
from web.db import get_session
from web.security import csrf, is_staff

bp = Blueprint("views", __name__)
MAX_WATCHED_S = 7 * 24 * 3600  # anything longer is garbage, whatever the episode


class BadBeacon(Exception):
    """A beacon no honest player sends; the message says what is wrong."""


def init_app(app: Flask) -> None:
    app.config.setdefault("VIEWS_CLOCK", lambda: datetime.now(timezone.utc))


@bp.route("/views/beacon", methods=["POST"])
@csrf.exempt
def beacon():
    try:
        episode, watched_ms = _read_beacon()
    except BadBeacon as exc:
        return jsonify(counted=False, error=str(exc)), 400
    reason = _not_counted_because(episode, watched_ms)
    if reason:
        return jsonify(counted=False, reason=reason), 202
    session, now = get_session(), current_app.config["VIEWS_CLOCK"]()
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    salt = daily_salt(session, now.astimezone(tz).date())
    viewer = viewer_id(salt, request.remote_addr or "", request.user_agent.string)
    counted = record_view(session, episode.id, viewer, now, tz)
    session.commit()
    return jsonify(counted=counted, reason="" if counted else "already counted this hour"), 202


def _read_beacon() -> tuple[Episode, int]:
    """The episode and watched milliseconds, or BadBeacon naming the problem."""
    if not request.is_json:
        raise BadBeacon("body must be application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadBeacon("body must be a JSON object")
    episode_id, watched = body.get("episode"), body.get("watched")
    if type(episode_id) is not int or not 0 < episode_id < 2**63:
        raise BadBeacon("'episode' must be a positive integer")
    if type(watched) not in (int, float) or not -MAX_WATCHED_S < watched < MAX_WATCHED_S:
        raise BadBeacon("'watched' must be a number of seconds")
    episode = get_session().get(Episode, episode_id)
    if episode is None:
        raise BadBeacon(f"unknown episode {episode_id}")
    watched_ms = round(watched * 1000)
    if not plausible(watched_ms, episode.duration_ms):
        raise BadBeacon(f"'watched' {watched} s is impossible for this episode")
    return episode, watched_ms


def _not_counted_because(episode: Episode, watched_ms: int) -> str:
    if is_bot(request.user_agent.string):
        return "bot"
    if episode.status != "published" or is_staff():
        return "staff preview"
    if not countable(watched_ms, episode.duration_ms):
        return "not watched long enough"
    return ""
