"""The view beacon: ``site.js`` posts ``{"episode": ID, "watched": SECONDS}`` once the
viewer has watched enough; the rules live in :mod:`episodes.views`.

Every bad beacon is a 400 with a one-line reason, never a 500. A counted view is
committed (SQLite ``synchronous=FULL``) before the response leaves, so an accepted
beacon survives a crash; concurrent beacons share one commit (``GroupCommit``). The beacon needs no CSRF token: it carries no one's
authority, and requiring ``application/json`` already keeps other sites from
posting it (a cross-site JSON post needs a CORS preflight we never grant).
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy.exc import OperationalError

from episodes.groupcommit import GroupCommit
from episodes.views import Beacon, count_beacons, is_bot, salt_day, viewer_id
from web.limits import RouteLimit, limit_route, posted_object
from web.security import csrf, is_staff

bp = Blueprint("views", __name__)
MAX_WATCHED_S = 7 * 24 * 3600  # anything longer is garbage, whatever the episode
BEACON_MAX_BYTES = 4096  # an honest beacon is under 100 bytes


class BadBeacon(Exception):
    """A beacon no honest player sends; the message says what is wrong."""


def init_app(app: Flask) -> None:
    app.config.setdefault("VIEWS_CLOCK", lambda: datetime.now(timezone.utc))
    tz = ZoneInfo(app.config["TIMEZONE"])
    app.extensions["view_writer"] = GroupCommit(
        app.extensions["catalog_engine"], lambda connection, beacons: count_beacons(connection, beacons, tz))
    app.config.setdefault("BEACON_MAX_BYTES", BEACON_MAX_BYTES)
    limit_route(app, "views.beacon", RouteLimit.from_config("BEACON_MAX_BYTES"))


@bp.errorhandler(413)
def beacon_too_large(_error):
    return jsonify(counted=False, error="beacon body too large"), 413


@bp.route("/views/beacon", methods=["POST"])
@csrf.exempt
def beacon():
    """Answer once the view is committed. The request itself reads nothing from the
    catalog: the episode is checked in the group commit's batch (``count_beacons``)."""
    try:
        episode_id, watched_ms = _read_beacon()
    except BadBeacon as exc:
        return jsonify(counted=False, error=str(exc)), 400
    now, tz = current_app.config["VIEWS_CLOCK"](), ZoneInfo(current_app.config["TIMEZONE"])
    unwanted = _unwanted()
    viewer = "" if unwanted else viewer_id(current_app.extensions["daily_salts"].of(salt_day(now, tz)),
                                           request.remote_addr or "", request.user_agent.string)
    try:
        answer = current_app.extensions["view_writer"].submit(
            Beacon(episode_id, watched_ms, viewer, now, unwanted))
    except OperationalError:  # database locked or disk full: the player may retry
        return jsonify(counted=False, error="view store unavailable; try again"), 503
    if answer.error:
        return jsonify(counted=False, error=answer.error), 400
    return jsonify(counted=answer.counted, reason=answer.reason), 202


def _read_beacon() -> tuple[int, int]:
    """The episode id and watched milliseconds, or BadBeacon naming the problem."""
    if not request.is_json:
        raise BadBeacon("body must be application/json")
    body = posted_object()
    if body is None:
        raise BadBeacon("body must be a JSON object")
    episode_id, watched = body.get("episode"), body.get("watched")
    if type(episode_id) is not int or not 0 < episode_id < 2**63:
        raise BadBeacon("'episode' must be a positive integer")
    if type(watched) not in (int, float) or not -MAX_WATCHED_S < watched < MAX_WATCHED_S:
        raise BadBeacon("'watched' must be a number of seconds")
    return episode_id, round(watched * 1000)


def _unwanted() -> str:
    """Why this request's beacon must not count whatever its episode says, or ""."""
    if is_bot(request.user_agent.string):
        return "bot"
    if _logged_in() and is_staff():
        return "staff preview"
    return ""


def _logged_in() -> bool:
    """Only a request with a session cookie can come from a logged-in staff member;
    checking first spares the session load on nearly every beacon."""
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies
