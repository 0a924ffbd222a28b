"""Published media files, with HTTP Range (players seek, podcast apps resume) and
podcast download counting.

Only files the catalog lists for a published episode are served. Library paths are
content-addressed, so responses are cacheable forever. Nothing is ever rendered as
a page: only media, images and subtitle/transcript types are inline, everything
else is an attachment, and ``nosniff`` stops browsers guessing otherwise.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory
from sqlalchemy import select

from episodes.assets import PODCAST_AUDIO
from episodes.downloads import count_download, countable_request
from episodes.models import Episode, MediaAsset, utcnow
from episodes.views import is_bot
from web.db import get_session

bp = Blueprint("media", __name__, url_prefix="/media")
INLINE_TYPES = ("text/vtt", "application/x-subrip", "text/x-ssa", "application/json",
                "image/jpeg", "image/png")
ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.config.setdefault("DOWNLOAD_CLOCK", utcnow)  # tests inject a clock here


@bp.get("/<path:relpath>")
def serve(relpath: str) -> Response:
    asset = _published_asset(relpath)
    response = send_from_directory(current_app.config["MEDIA_ROOT"], relpath,
                                   mimetype=asset.mime_type, conditional=True, max_age=ONE_YEAR,
                                   etag=asset.checksum,
                                   as_attachment=not _inline(asset.mime_type))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Access-Control-Allow-Origin"] = "*"  # web players fetch transcripts
    if asset.kind in PODCAST_AUDIO:
        _count(asset, response)
    return response


def _published_asset(relpath: str) -> MediaAsset:
    asset = get_session().scalar(
        select(MediaAsset).join(Episode)
        .where(MediaAsset.path == relpath, Episode.status == "published").limit(1))
    if asset is None:
        abort(404, "没有找到这个文件，或者它还没有发布。")
    return asset


def _inline(mime_type: str) -> bool:
    return mime_type.startswith(("audio/", "video/")) or mime_type in INLINE_TYPES


def _count(asset: MediaAsset, response: Response) -> None:
    """Count a download for a GET that delivered a minute of audio to a person."""
    if request.method != "GET" or response.status_code not in (200, 206):
        return
    span = response.content_range
    first, last = (span.start, span.stop - 1) if response.status_code == 206 and span \
        else (0, asset.bytes - 1)
    agent = request.user_agent.string
    if countable_request(asset, first, last) and not is_bot(agent):
        session = get_session()
        count_download(session, asset.episode_id, request.remote_addr or "0.0.0.0", agent,
                       current_app.config["DOWNLOAD_CLOCK"](),
                       ZoneInfo(current_app.config["TIMEZONE"]))
        session.commit()
