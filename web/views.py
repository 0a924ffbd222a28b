"""The view beacon: ``site.js`` posts ``{"episode": ID, "watched": SECONDS}`` once the
viewer has watched enough; the rules live in :mod:`episodes.views`.

Every bad beacon is a 400 with a one-line reason, never a 500. A counted view is
committed (SQLite ``synchronous=FULL``) before the response leaves, so an accepted
beacon survives a crash; concurrent beacons share one commit (``GroupCommit``). The beacon needs no CSRF token: it carries no one's
authority, and requiring ``application/json`` already keeps other sites from
posting it (a cross-site JSON post needs a CORS preflight we never grant).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError, OperationalError

from episodes.groupcommit import GroupCommit
from episodes.models import Episode
from episodes.db import transaction
from episodes.views import (View, countable, daily_salt, is_bot, plausible, record_views, salt_day,
                            viewer_id)
from web.db import close_session, get_session
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
        app.extensions["catalog_sessions"], lambda session, views: record_views(session, views, tz))
    app.extensions["view_salt"] = (None, "")
    app.config.setdefault("BEACON_MAX_BYTES", BEACON_MAX_BYTES)
    limit_route(app, "views.beacon", RouteLimit.from_config("BEACON_MAX_BYTES"))


@bp.errorhandler(413)
def beacon_too_large(_error):
    return jsonify(counted=False, error="beacon body too large"), 413


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
    now, tz = current_app.config["VIEWS_CLOCK"](), ZoneInfo(current_app.config["TIMEZONE"])
    viewer = viewer_id(_salt(salt_day(now, tz)), request.remote_addr or "",
                       request.user_agent.string)
    close_session()  # give the connection back: the writer thread needs one from the pool
    try:
        counted = current_app.extensions["view_writer"].submit(View(episode.id, viewer, now))
    except IntegrityError:  # the episode was deleted since we read it
        return jsonify(counted=False, error=f"unknown episode {episode.id}"), 400
    except OperationalError:  # database locked or disk full: the player may retry
        return jsonify(counted=False, error="view store unavailable; try again"), 503
    return jsonify(counted=counted, reason="" if counted else "already counted this hour"), 202


def _salt(day: date) -> str:
    """Today's salt, read from the catalog once per day per process."""
    cached_day, salt = current_app.extensions["view_salt"]
    if cached_day != day:
        with transaction(current_app.extensions["catalog_sessions"]) as session:
            salt = daily_salt(session, day)
        current_app.extensions["view_salt"] = (day, salt)
    return salt


def _read_beacon() -> tuple[Row, int]:
    """The episode and watched milliseconds, or BadBeacon naming the problem."""
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
    episode = get_session().execute(  # plain columns: no ORM object per beacon
        select(Episode.id, Episode.duration_ms, Episode.status).where(Episode.id == episode_id)).first()
    if episode is None:
        raise BadBeacon(f"unknown episode {episode_id}")
    watched_ms = round(watched * 1000)
    if not plausible(watched_ms, episode.duration_ms):
        raise BadBeacon(f"'watched' {watched} s is impossible for this episode")
    return episode, watched_ms


def _not_counted_because(episode: Row, watched_ms: int) -> str:
    if is_bot(request.user_agent.string):
        return "bot"
    if episode.status != "published" or _logged_in() and is_staff():
        return "staff preview"
    if not countable(watched_ms, episode.duration_ms):
        return "not watched long enough"
    return ""


def _logged_in() -> bool:
    """Only a request with a session cookie can come from a logged-in staff member;
    checking first spares the session load on nearly every beacon."""
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies
