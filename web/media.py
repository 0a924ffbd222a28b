"""Published media files, with HTTP Range (players seek, podcast apps resume) and
podcast download counting.

Only files the catalog lists for a published episode are served. Library paths are
content-addressed, so responses are cacheable forever. Nothing is ever rendered as
a page: only media, images and subtitle/transcript types are inline, everything
else is an attachment, and ``nosniff`` stops browsers guessing otherwise.

Behind nginx (``MEDIA_ACCEL_REDIRECT``, e.g. ``/_media/``) the site still decides
(published? a download to count?) but hands the bytes to nginx with
``X-Accel-Redirect``, so no Python process is busy streaming video (docs/deploy.md).

A download is counted before the response leaves, through the process's group-commit
writer (``download_writer``): concurrent downloads share one commit. A count that fails
(the catalog locked or gone) is logged and the file is served all the same: the
listener is not to blame.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, current_app, request, send_from_directory
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from episodes.assets import PODCAST_AUDIO, AssetKind
from episodes.downloads import Download, count_downloads, countable_request, listener_ids
from episodes.errors import CatalogError
from episodes.groupcommit import GroupCommit
from episodes.models import Episode, MediaAsset, utcnow
from episodes.thumbnails import thumbnail, thumbnail_relpath
from episodes.views import is_bot
from web.db import get_session

bp = Blueprint("media", __name__, url_prefix="/media")
INLINE_TYPES = ("text/vtt", "application/x-subrip", "text/x-ssa", "application/json",
                "image/jpeg", "image/png")
ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.config.setdefault("DOWNLOAD_CLOCK", utcnow)  # tests inject a clock here
    app.extensions["download_writer"] = GroupCommit(app.extensions["catalog_engine"], count_downloads)
    app.config.setdefault("MEDIA_ACCEL_REDIRECT", "")  # nginx's internal media location


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
    accel = current_app.config["MEDIA_ACCEL_REDIRECT"]
    return _handed_to_nginx(response, accel + relpath) if accel else response


def _handed_to_nginx(response: Response, location: str) -> Response:
    """The same answer without its body: nginx sends the file at ``location`` itself,
    honouring the request's Range, and keeps the type, disposition and caching headers.
    A 304 or 416 needs no file and is passed through as it is."""
    if response.status_code not in (200, 206):
        return response
    response.close()  # the file send_from_directory opened
    handed = Response(status=200, headers=[(k, v) for k, v in response.headers.items()
                                           if k not in ("Content-Length", "Content-Range")])
    handed.headers["X-Accel-Redirect"] = quote(location)
    return handed


@bp.get("/thumb/<path:relpath>")
def thumb(relpath: str) -> Response:
    """A published poster's 320 px card thumbnail, drawn on the first request and kept
    beside the poster in the library (its folder is content-addressed, so it never goes
    stale and can be cached forever)."""
    poster = _published_asset(relpath)
    if poster.kind != AssetKind.POSTER:
        abort(404, "只有节目封面有缩略图。")
    root = Path(current_app.config["MEDIA_ROOT"])
    small = thumbnail_relpath(relpath)
    if not (root / small).is_file():
        data = _draw_thumbnail(root, relpath)
        try:
            _keep(root / small, data)
        except OSError as exc:  # a read-only library: still show the picture
            current_app.logger.warning("cannot keep thumbnail %s: %s", small, exc)
            return Response(data, mimetype="image/jpeg")
    response = send_from_directory(root, small, mimetype="image/jpeg", conditional=True,
                                   max_age=ONE_YEAR)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _draw_thumbnail(root: Path, poster: str) -> bytes:
    try:
        return thumbnail((root / poster).read_bytes(), poster)
    except FileNotFoundError:
        abort(404, "没有找到这个文件，或者它还没有发布。")
    except CatalogError as exc:
        current_app.logger.error("%s; the card shows no picture", exc)
        abort(404, "这张封面无法生成缩略图。")


def _keep(target: Path, data: bytes) -> None:
    """Write under a temporary name in the target's folder, then rename into place: two
    first requests at once both write the same bytes, and neither sees half a file."""
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".thumb-")
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o644)  # readable like the library's other files
        handle.write(data)
    os.replace(temporary, target)


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
    """Count a download for a GET that delivered a minute of audio to a person; return
    once it is committed, or once a failed count is logged (the file is served anyway)."""
    if request.method != "GET" or response.status_code not in (200, 206):
        return
    span = response.content_range
    first, last = (span.start, span.stop - 1) if response.status_code == 206 and span \
        else (0, asset.bytes - 1)
    agent = request.user_agent.string
    if not countable_request(asset, first, last) or is_bot(agent):
        return
    now = current_app.config["DOWNLOAD_CLOCK"]()
    # Give the request's pooled connection back before waiting for the salt or the writer:
    # requests waiting for those could otherwise hold every connection of the pool, and
    # the writer (or the salt's reader) would wait for one until the pool gives up.
    get_session().close()
    try:
        listeners = listener_ids(current_app.extensions["daily_salts"].of, request.remote_addr or "0.0.0.0",
                                 agent, now, ZoneInfo(current_app.config["TIMEZONE"]))
        current_app.extensions["download_writer"].submit(Download(asset.episode_id, listeners, now))
    except (SQLAlchemyError, CatalogError) as exc:
        current_app.logger.error("download of %s not counted: %s", asset.path, str(exc).splitlines()[0])
