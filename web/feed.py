"""One podcast feed per programme, the Atom feed of guide videos, their artwork and
chapters, and the 订阅 page that tells residents how to subscribe.

The validator (ETag and Last-Modified) comes from one aggregate query over the
catalog, so a podcast app polling every few minutes gets its 304 without the feed
being built; a built feed is kept per worker process until the catalog changes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from flask import (Blueprint, Flask, Response, abort, current_app, render_template, request,
                   send_file, url_for)
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from episodes.catalog import catalog_version, published_episodes
from episodes.chapters import MIME_TYPE as CHAPTERS_TYPE
from episodes.chapters import chapters, chapters_document, episode_cues, with_transcript
from episodes.feed import FEED_STEMS, Channel, guides_atom, podcast_rss
from episodes.library import programme_artwork
from episodes.models import Episode
from episodes.record import SHOW_NAMES
from web.db import get_session
from web.deployment import SiteConfigError
from web.site import KINDS as LISTINGS

bp = Blueprint("feed", __name__)
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
KINDS = {stem: kind for kind, stem in FEED_STEMS.items()}
# The setting that overrides each programme's drawn artwork (a URL).
ARTWORK_SETTINGS = {"episode": "PODCAST_ARTWORK", "guide": "GUIDES_PODCAST_ARTWORK"}
ARTWORK_MAX_AGE = 24 * 3600  # drawn once, but the setting may point elsewhere tomorrow


@dataclass(frozen=True)
class FeedLink:
    """A feed as every page announces it (``<link rel="alternate">`` in base.html)."""

    title: str
    mime_type: str
    href: str


def feed_links() -> list[FeedLink]:
    return [*(FeedLink(f"{SHOW_NAMES[kind]}（播客）", "application/rss+xml",
                       url_for("feed.podcast", stem=stem)) for kind, stem in FEED_STEMS.items()),
            FeedLink(f"{SHOW_NAMES['guide']}视频（Atom）", "application/atom+xml",
                     url_for("feed.guides"))]


def init_app(app: Flask) -> None:
    app.extensions["feed_cache"] = {}
    locked = str(app.config["PODCAST_LOCKED"]).strip().lower()
    if locked not in ("yes", "no"):
        raise SiteConfigError(f"must be yes or no, not {app.config['PODCAST_LOCKED']!r}",
                              "PODCAST_LOCKED")
    app.config["PODCAST_LOCKED"] = locked
    app.context_processor(lambda: {"feed_links": feed_links})  # base.html calls it


def channel(kind: str) -> Channel:
    config = current_app.config
    site = Channel(site_url=config["SITE_URL"], kind=kind, owner_email=config["PODCAST_OWNER_EMAIL"],
                   locked=config["PODCAST_LOCKED"] == "yes")
    return replace(site, artwork_url=artwork_url(site))


def artwork_url(site: Channel) -> str:
    """The artwork setting of the programme, else its drawn artwork once it exists."""
    configured = current_app.config[ARTWORK_SETTINGS[site.kind]]
    if configured:
        return configured
    drawn = programme_artwork(Path(current_app.config["MEDIA_ROOT"]), site.kind)
    return site.url(url_for("feed.artwork", stem=FEED_STEMS[site.kind])) if drawn.is_file() else ""


@bp.get("/feed/<any(podcast, guides):stem>.xml")
def podcast(stem: str) -> Response:
    """A programme's podcast: the call-in show (podcast.xml) or the guides' audio."""
    kind = KINDS[stem]

    def build(feed_channel: Channel) -> bytes:
        session = get_session()
        episodes = published_episodes(session, kind=kind)
        return podcast_rss(episodes, feed_channel, with_transcript(session, [e.id for e in episodes]))
    return _conditional(f"rss-{kind}", RSS_TYPE, channel(kind), build)


@bp.get("/feed/guides.atom")
def guides() -> Response:
    return _conditional("atom-guide", ATOM_TYPE, channel("guide"), lambda c: guides_atom(
        published_episodes(get_session(), kind="guide"), c))


@bp.get("/feed/<any(podcast, guides):stem>.jpg")
def artwork(stem: str) -> Response:
    """The programme's drawn artwork (see ``studio.stages.artwork``)."""
    path = programme_artwork(Path(current_app.config["MEDIA_ROOT"]), KINDS[stem])
    if not path.is_file():
        abort(404, "节目封面还没有生成。")
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=ARTWORK_MAX_AGE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/feed/chapters/<slug>.json")
def episode_chapters(slug: str) -> Response:
    """The Podcasting 2.0 chapters of a published episode, from its approved transcript."""
    session = get_session()
    episode = session.scalar(select(Episode).where(Episode.slug == slug,
                                                   Episode.status == "published"))
    cues = episode_cues(session, episode.id) if episode else []
    if not cues:
        abort(404, "没有找到这期节目的章节。")
    document = chapters_document(chapters(cues), episode.title, SHOW_NAMES[episode.kind])
    body = json.dumps(document, ensure_ascii=False).encode()
    response = Response(body, mimetype=CHAPTERS_TYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.headers["Access-Control-Allow-Origin"] = "*"  # web players fetch chapters
    return response.make_conditional(request)


@dataclass(frozen=True)
class Subscription:
    """A programme as the 订阅 page shows it; ``cover`` is a same-site address or empty."""

    title: str
    description: str
    feed_url: str  # absolute, under SITE_URL: what residents copy into their app
    cover: str
    listing: str


@bp.get("/subscribe")
def subscribe():
    """订阅: how to follow each programme in a podcast app, with the address to copy."""
    listings = {kind: listing for listing, kind in LISTINGS.items()}
    subscriptions = []
    for kind, stem in FEED_STEMS.items():
        feed_channel = channel(kind)
        # the drawn artwork only: the page may not load images from elsewhere (CSP)
        drawn = not current_app.config[ARTWORK_SETTINGS[kind]] and feed_channel.artwork_url
        subscriptions.append(Subscription(
            feed_channel.title, feed_channel.description, feed_channel.url(feed_channel.feed_path),
            url_for("feed.artwork", stem=stem) if drawn else "",
            url_for("site.listing", kind=listings[kind])))
    return render_template("feed/subscribe.html", subscriptions=subscriptions,
                           atom_url=channel("guide").url(url_for("feed.guides")))


def _conditional(name: str, mimetype: str, feed_channel: Channel,
                 build: Callable[[Channel], bytes]) -> Response:
    """304 when the client's copy is current; else the (cached) feed with validators."""
    with current_app.extensions["catalog_engine"].connect() as connection:
        count, changed = catalog_version(connection)
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
