"""One podcast feed per programme (RSS 2.0 + iTunes + Podcasting 2.0) and the Atom feed
of guides.

Built with feedgen from published catalog rows; the web layer serves the bytes. Each
programme (a kind of :data:`~episodes.record.SHOW_NAMES`) is its own podcast, with
its own title, description, artwork and ``podcast:guid``: the call-in show at
``/feed/podcast.xml``, the guide videos' audio at ``/feed/guides.xml``. Item GUIDs
derive from kind and slug only, so they survive a new site address, a rebuilt
database or a re-rendered file: podcast apps never see an episode twice.

Example::

    channel = Channel(site_url="https://ting.wuling.gov.cn", kind="episode")
    xml = podcast_rss(published_episodes(session, kind="episode"), channel)
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedEntry, FeedGenerator

from episodes.assets import PODCAST_AUDIO, AssetKind
from episodes.catalog import AssetInfo, PublishedEpisode
from episodes.chapters import MIME_TYPE as CHAPTERS_TYPE
from episodes.podcastindex import (AtomEnclosureEntryExtension, PodcastIndexEntryExtension,
                                   PodcastIndexExtension)
from episodes.record import SHOW_NAMES
from episodes.record import Guest as GuestRecord

GUID_NAMESPACE = uuid.UUID("6f1c2a52-3f0e-4d8a-9a55-1b6f2d7c9e41")  # fixed forever
# The Podcasting 2.0 "podcast" namespace UUID that podcast:guid is derived in.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Each programme's file name under /feed/: <stem>.xml is its podcast, <stem>.jpg its artwork.
FEED_STEMS = {"episode": "podcast", "guide": "guides"}
DESCRIPTIONS = {
    "episode": "武陵区政务服务热线直播节目：部门负责人走进直播间，用大白话解答办事难题。",
    "guide": "武陵区政务服务导办视频：一件事一期，讲清楚要带什么材料、到哪里办、怎么办。",
}
PERSON_MAX = 128  # characters; aggregators may cut a longer podcast:person
TRANSCRIPT_TYPES = ("text/vtt", "application/x-subrip")
ARTWORK_PX = (1400, 3000)  # Apple Podcasts: square, at least 1400, at most 3000


@dataclass(frozen=True)
class Channel:
    """One programme's podcast and who publishes it; ``artwork_url`` empty: no artwork
    (never an episode's cover, which would change with every publish)."""

    site_url: str
    kind: str = "episode"
    author: str = "武陵区政务服务中心"
    owner_name: str = "武陵区政务服务中心"
    owner_email: str = "podcast@example.gov.cn"
    artwork_url: str = ""
    locked: bool = False
    category: str = "Government"
    language: str = "zh-cn"
    page_path: str = "/e/{slug}"  # the site's episode page (web.site)
    chapters_path: str = "/feed/chapters/{slug}.json"  # web.feed

    @property
    def title(self) -> str:
        return SHOW_NAMES[self.kind]

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    @property
    def feed_path(self) -> str:
        return f"/feed/{FEED_STEMS[self.kind]}.xml"

    @property
    def podcast_guid(self) -> str:
        """UUIDv5 of the feed URL without scheme and trailing slashes (Podcasting 2.0)."""
        address = self.url(self.feed_path).split("://", 1)[-1].rstrip("/")
        return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, address))

    def url(self, path: str) -> str:
        return self.site_url.rstrip("/") + path

    def media_url(self, asset: AssetInfo) -> str:
        return self.url("/media/" + quote(asset.relpath))

    def page_url(self, episode: PublishedEpisode) -> str:
        return self.url(self.page_path.format(slug=quote(episode.slug)))

    def chapters_url(self, episode: PublishedEpisode) -> str:
        return self.url(self.chapters_path.format(slug=quote(episode.slug)))


def episode_guid(episode: PublishedEpisode) -> str:
    return f"urn:uuid:{uuid.uuid5(GUID_NAMESPACE, f'{episode.kind}/{episode.slug}')}"


def audio_of(episode: PublishedEpisode) -> AssetInfo | None:
    return next(filter(None, (episode.asset(kind) for kind in PODCAST_AUDIO)), None)


def podcast_rss(episodes: list[PublishedEpisode], channel: Channel,
                chaptered: frozenset[int] = frozenset()) -> bytes:
    """RSS 2.0 for the episodes of ``channel``'s programme that have podcast audio, in
    the order given; ``chaptered`` holds the ids of those with a chapters file."""
    with_audio = [e for e in episodes if audio_of(e) is not None]
    fg = _feed(channel, channel.feed_path)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension,
                          atom=False)
    fg.load_extension("podcast", atom=False)
    fg.podcast.itunes_author(channel.author)
    fg.podcast.itunes_owner(name=channel.owner_name, email=channel.owner_email)
    fg.podcast.itunes_category(channel.category)
    fg.podcast.itunes_type("episodic")
    fg.podcastindex.explicit(False)
    fg.podcastindex.guid(channel.podcast_guid)
    fg.podcastindex.locked(channel.locked, owner=channel.owner_email)
    if channel.artwork_url:
        fg.podcast.itunes_image(channel.artwork_url)
        fg.image(url=channel.artwork_url, title=channel.title, link=channel.url("/"))
    if with_audio:  # a build date that only moves when the content does
        fg.lastBuildDate(max(e.updated_at for e in with_audio))
    for episode in with_audio:
        _podcast_item(fg.add_entry(order="append"), episode, channel, episode.id in chaptered)
    return fg.rss_str(pretty=False)


def _feed(channel: Channel, self_path: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(channel.url(self_path))
    fg.title(channel.title)
    fg.description(channel.description)
    fg.subtitle(channel.description)
    fg.author(name=channel.author, email=channel.owner_email)
    fg.link(href=channel.url(self_path), rel="self")
    fg.link(href=channel.url("/"), rel="alternate")  # after "self": RSS <link> takes the last
    fg.language(channel.language)
    return fg


def _podcast_item(entry: FeedEntry, episode: PublishedEpisode, channel: Channel,
                  chaptered: bool) -> None:
    audio = audio_of(episode)
    _common_entry(entry, episode, channel)
    entry.guid(episode_guid(episode), permalink=False)
    entry.enclosure(channel.media_url(audio), str(audio.bytes), audio.mime_type)
    entry.podcast.itunes_duration(round(audio.duration_ms / 1000) or 1)
    entry.podcast.itunes_episode_type("full")
    cover = episode.asset(AssetKind.COVER)
    if cover is not None:
        entry.podcast.itunes_image(channel.media_url(cover))
    for asset in episode.assets:
        if asset.kind == AssetKind.SUBTITLES and asset.variant == "verbatim" \
                and asset.mime_type in TRANSCRIPT_TYPES:
            entry.podcastindex.transcript(channel.media_url(asset), asset.mime_type,
                                          channel.language)
    if chaptered:
        entry.podcastindex.chapters(channel.chapters_url(episode), CHAPTERS_TYPE)
    for guest in episode.guests:
        entry.podcastindex.person(person_name(guest), role="guest", group="cast")


def person_name(guest: GuestRecord) -> str:
    """A guest as podcast apps list them: the name, then the department (the namespace
    has no field for it, and residents want to know who answers for which office)."""
    named = f"{guest.name}（{guest.department}）" if guest.department else guest.name
    return named[:PERSON_MAX]


def _common_entry(entry: FeedEntry, episode: PublishedEpisode, channel: Channel) -> None:
    entry.title(episode.title)
    entry.link(href=channel.page_url(episode))
    entry.description(_description(episode))
    entry.published(episode.published_at)
    entry.updated(episode.updated_at)


def _description(episode: PublishedEpisode) -> str:
    guests = "、".join(f"{g.department}{g.name}" for g in episode.guests)
    return f"{episode.summary}\n本期嘉宾：{guests}" if guests else episode.summary or episode.title


def guides_atom(guides: list[PublishedEpisode], channel: Channel) -> bytes:
    """Atom for guide videos (``channel`` is the guides' programme); each entry links
    the page and the web video."""
    fg = _feed(channel, "/feed/guides.atom")
    fg.register_extension("atomenclosure", BaseExtension, AtomEnclosureEntryExtension, rss=False)
    fg.id(f"urn:uuid:{uuid.uuid5(GUID_NAMESPACE, 'guides')}")
    if guides:
        fg.updated(max(g.updated_at for g in guides))
    for guide in guides:
        entry = fg.add_entry(order="append")
        _common_entry(entry, guide, channel)
        entry.id(episode_guid(guide))
        video = guide.asset(AssetKind.WEB_VIDEO) or guide.asset(AssetKind.BURNED_VIDEO)
        if video is not None:
            entry.atomenclosure.enclosure(channel.media_url(video), video.bytes, video.mime_type)
    return fg.atom_str(pretty=False)


def artwork_problem(width: int, height: int) -> str | None:
    """Why Apple Podcasts would refuse this artwork, or None (square, 1400–3000 px)."""
    if width != height or not ARTWORK_PX[0] <= width <= ARTWORK_PX[1]:
        return (f"podcast artwork must be square, {ARTWORK_PX[0]}–{ARTWORK_PX[1]} px "
                f"(this is {width}×{height})")
    return None
