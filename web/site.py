"""The public site: home, list pages by kind and service category, episode and audio pages.

Everything here works without JavaScript: transcript timestamps are plain links
(``?t=SECONDS``) that start the video there through a media fragment (``#t=``);
``site.js`` only makes them seek in place and sends the view beacon.
"""
from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import NotFound

import glossary
from glossary.errors import GlossaryError
from glossary.io import load as load_glossary

from episodes.assets import AssetKind
from episodes.models import Episode, LiveBroadcast, MediaAsset, TranscriptCue, as_utc
from episodes.record import SHOW_NAMES
from episodes.views import total_views
from web import live
from web.db import get_session
from web.security import is_staff
from web.transcript import Transcript, transcript_lines

bp = Blueprint("site", __name__)

KINDS = {"episodes": "episode", "guides": "guide"}
KIND_TITLES = {"episode": f"《{SHOW_NAMES['episode']}》节目", "guide": f"{SHOW_NAMES['guide']}视频"}
# (kind, variant, mime type) of each file the episode page links to.
MEDIA = {
    "video": (AssetKind.WEB_VIDEO, "", "video/mp4"), "poster": (AssetKind.POSTER, "", "image/jpeg"),
    "mp3": (AssetKind.PODCAST_MP3, "", "audio/mpeg"),
    "vtt_plain": (AssetKind.SUBTITLES, "plain", "text/vtt"),
    "vtt_verbatim": (AssetKind.SUBTITLES, "verbatim", "text/vtt"),
    "srt_plain": (AssetKind.SUBTITLES, "plain", "application/x-subrip"),
    "srt_verbatim": (AssetKind.SUBTITLES, "verbatim", "application/x-subrip"),
}
MEDIA_ENDPOINT = "media.serve"
STAFF_MEDIA_ENDPOINT = "review.media"  # any status, staff only: previews of unpublished episodes
PER_PAGE = 12
TRANSCRIPT_CACHE = 256  # episodes
HOME_COUNT = 6


@dataclass(frozen=True)
class Page:
    """One page of a list, with what the pager needs."""

    items: list[Episode]
    number: int
    pages: int
    total: int


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.globals["media_url"] = media_url
    app.jinja_env.globals["thumbnail_url"] = thumbnail_url
    app.register_error_handler(404, not_found)


def local_time(moment: datetime | None, fmt: str = "%Y年%m月%d日 %H:%M") -> Markup:
    """A stored UTC time as people in the district read it, as a ``<time>`` element.

    Every time on the site goes through here, so none is shown in UTC and every
    ``datetime`` attribute carries the offset: ``<time datetime="2026-12-01T19:30:00+08:00">``.
    """
    if moment is None:
        return Markup("")
    local = as_utc(moment).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return Markup('<time datetime="{}">{}</time>').format(local.isoformat(timespec="seconds"),
                                                          local.strftime(fmt))


def filesize(size: int) -> str:
    """Bytes as people on a metered phone plan read them: 850 KB, 12.3 MB."""
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{max(1, round(size / 1024))} KB"


def clock(ms: int) -> str:
    """Milliseconds as ``m:ss`` or ``h:mm:ss``, the way players show time."""
    minutes, seconds = divmod(ms // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def explained_transcript(episode: Episode) -> Transcript:
    """The episode's transcript with glossary terms marked, cached by its text.

    Term matching costs more than the rest of the page; transcripts rarely change,
    and the cache key is the text itself, so an edited transcript is never stale.
    """
    cues = tuple(get_session().execute(
        select(TranscriptCue.start_ms, TranscriptCue.text)
        .where(TranscriptCue.episode_id == episode.id).order_by(TranscriptCue.position)))
    if "transcripts" not in current_app.extensions:
        path = current_app.config["GLOSSARY"]  # the `glossary` setting; empty: shipped
        terms = site_terms(path)
        current_app.extensions["transcripts"] = lru_cache(TRANSCRIPT_CACHE)(
            lambda key: transcript_lines(key, terms))
    return current_app.extensions["transcripts"](tuple(map(tuple, cues)))


def site_terms(path: str) -> glossary.Glossary:
    """The configured term base; a broken one is logged, never a broken page."""
    if not path:
        return glossary.load_default()
    try:
        return load_glossary(path)
    except GlossaryError as exc:
        current_app.logger.error("%s; explaining terms with the shipped glossary instead", exc)
        return glossary.load_default()


def media_url(asset: MediaAsset) -> str:
    """The public route for a published episode's files; a staff preview of an unpublished
    one gets them from the staff route (the public one serves published files only)."""
    published_file = asset.episode.status == "published"
    return url_for(MEDIA_ENDPOINT if published_file else STAFF_MEDIA_ENDPOINT, relpath=asset.path)


def thumbnail_url(episode: Episode) -> str | None:
    """The card picture of a published episode: its poster's small thumbnail
    (``media.thumb``), never the full poster; None when it has no poster."""
    poster = next((a for a in episode.assets if (a.kind, a.variant, a.mime_type) == MEDIA["poster"]),
                  None)
    return url_for("media.thumb", relpath=poster.path) if poster else None


def episode_media(episode: Episode) -> dict[str, MediaAsset | None]:
    """The files the page links to, by role (see ``MEDIA``); missing ones are None."""
    return {role: next((a for a in episode.assets
                        if (a.kind, a.variant, a.mime_type) == wanted), None)
            for role, wanted in MEDIA.items()}


def published() -> Select:
    return select(Episode).where(Episode.status == "published")


def paginate(session: Session, query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / per_page))
    if number > pages:
        abort(404, "没有这一页。")
    items = session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(list(items), number, pages, total)


def get_episode(slug: str) -> Episode:
    """The episode, or 404; drafts are visible to staff only (as a preview)."""
    episode = get_session().scalars(
        select(Episode).where(Episode.slug == slug)
        .options(selectinload(Episode.assets), selectinload(Episode.guests))).first()
    if episode is None or (episode.status != "published" and not is_staff()):
        abort(404, "没有找到这期节目，可能已下线或网址有误。")
    return episode


@bp.route("/")
def home():
    session = get_session()
    newest = published().order_by(Episode.published_at.desc()).limit(HOME_COUNT) \
        .options(selectinload(Episode.assets))
    next_live = session.scalars(select(LiveBroadcast).order_by(LiveBroadcast.air_at)
                                .where(LiveBroadcast.air_at > datetime.now(timezone.utc))).first()
    return render_template(
        "site/home.html", next_live=next_live, live_now=live.broadcast_on_air(session),
        episodes=session.scalars(newest.where(Episode.kind == "episode")).all(),
        guides=session.scalars(newest.where(Episode.kind == "guide")).all())


@bp.route("/<any(episodes, guides):kind>/")
def listing(kind: str):
    session = get_session()
    category = request.args.get("category", "")
    number = request.args.get("page", 1, type=int)
    if number < 1:
        abort(404, "没有这一页。")
    query = published().where(Episode.kind == KINDS[kind])
    categories = session.scalars(query.with_only_columns(Episode.service_category).distinct()
                                 .where(Episode.service_category != "")
                                 .order_by(Episode.service_category)).all()
    if category:
        query = query.where(Episode.service_category == category)
    page = paginate(session, query.order_by(Episode.published_at.desc(), Episode.id.desc())
                    .options(selectinload(Episode.assets)), number)
    return render_template("site/list.html", kind=kind, title=KIND_TITLES[KINDS[kind]],
                           category=category, categories=categories, page=page)


@bp.route("/e/<slug>")
def episode(slug: str):
    return _player_page("site/episode.html", get_episode(slug))


@bp.route("/e/<slug>/audio")
def audio(slug: str):
    return _player_page("site/audio.html", get_episode(slug))


def _player_page(template: str, episode: Episode):
    """Video and audio pages show the same things around a different player."""
    return render_template(template, episode=episode, media=episode_media(episode),
                           start=max(request.args.get("t", 0, type=int), 0),
                           preview=episode.status != "published",
                           views=total_views(get_session(), episode.id),
                           transcript=explained_transcript(episode))


def not_found(error: NotFound):
    message = error.description if error.description != NotFound.description else \
        "没有找到这个页面，请检查网址，或回到首页查找。"
    return render_template("site/error.html", code=404, message=message), 404
