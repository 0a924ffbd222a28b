"""The podcast RSS feed and the Atom feed of guide videos, with cheap revalidation.

The validator (ETag and Last-Modified) comes from one aggregate query over the
catalog, so a podcast app polling every few minutes gets its 304 without the feed
being built; a built feed is kept per worker process until the catalog changes.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.http import is_resource_modified

from episodes.catalog import catalog_version, published_episodes
from episodes.feed import Channel, guides_atom, podcast_rss
from web.db import get_session

bp = Blueprint("feed", __name__, url_prefix="/feed")
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def init_app(app: Flask) -> None:
    app.extensions["feed_cache"] = {}


def channel() -> Channel:
    config = current_app.config
    return Channel(site_url=config["SITE_URL"], owner_email=config["PODCAST_OWNER_EMAIL"],
                   artwork_url=config["PODCAST_ARTWORK"])


@bp.get("/podcast.xml")
def podcast() -> Response:
    # guide videos have podcast audio too: listeners get them in the same feed
    return _conditional("podcast", RSS_TYPE, lambda c: podcast_rss(
        published_episodes(get_session()), c))


@bp.get("/guides.atom")
def guides() -> Response:
    return _conditional("guides", ATOM_TYPE, lambda c: guides_atom(
        published_episodes(get_session(), kind="guide"), c))


def _conditional(name: str, mimetype: str, build: Callable[[Channel], bytes]) -> Response:
    """304 when the client's copy is current; else the (cached) feed with validators."""
    with current_app.extensions["catalog_engine"].connect() as connection:
        count, changed = catalog_version(connection)
    feed_channel = channel()
    etag = hashlib.sha256(f"{name}|{count}|{changed}|{feed_channel}".encode()).hexdigest()[:32]
    response = Response(status=304, mimetype=mimetype)
    if is_resource_modified(request.environ, etag=etag, last_modified=changed):
        response = Response(_cached(name, etag, lambda: build(feed_channel)), mimetype=mimetype)
    response.set_etag(etag)
    response.last_modified = changed
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _cached(name: str, etag: str, build: Callable[[], bytes]) -> bytes:
    cache = current_app.extensions["feed_cache"]
    if cache.get(name, ("", b""))[0] != etag:
        cache[name] = (etag, build())
    return cache[name][1]
