"""The podcast feed (RSS 2.0 + iTunes + Podcasting 2.0) and the Atom feed of guides.

Built with feedgen from published catalog rows; the web layer serves the bytes.
GUIDs derive from kind and slug only, so they survive a new site address, a
rebuilt database or a re-rendered file: podcast apps never see an episode twice.

Example::

    channel = Channel(site_url="https://ting.wuling.gov.cn")
    xml = podcast_rss(published_episodes(session), channel)
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedEntry, FeedGenerator

from episodes.assets import PODCAST_AUDIO, AssetKind
from episodes.catalog import AssetInfo, PublishedEpisode
from episodes.podcastindex import (AtomEnclosureEntryExtension, PodcastIndexEntryExtension,
                                   PodcastIndexExtension)
from episodes.record import SHOW_NAMES

GUID_NAMESPACE = uuid.UUID("6f1c2a52-3f0e-4d8a-9a55-1b6f2d7c9e41")  # fixed forever
TRANSCRIPT_TYPES = ("text/vtt", "application/x-subrip")
ARTWORK_PX = (1400, 3000)  # Apple Podcasts: square, at least 1400, at most 3000


@dataclass(frozen=True)
class Channel:
    """Who publishes the show; ``artwork_url`` empty means the newest episode's cover."""

    site_url: str
    title: str = SHOW_NAMES["episode"]
    description: str = "武陵区政务服务热线直播节目：部门负责人走进直播间，用大白话解答办事难题。"
    author: str = "武陵区政务服务中心"
    owner_name: str = "武陵区政务服务中心"
    owner_email: str = "podcast@example.gov.cn"
    artwork_url: str = ""
    category: str = "Government"
    language: str = "zh-cn"
    page_path: str = "/e/{slug}"  # the site's episode page (web.site)

    def url(self, path: str) -> str:
        return self.site_url.rstrip("/") + path

    def media_url(self, asset: AssetInfo) -> str:
        return self.url("/media/" + quote(asset.relpath))

    def page_url(self, episode: PublishedEpisode) -> str:
        return self.url(self.page_path.format(slug=quote(episode.slug)))


def episode_guid(episode: PublishedEpisode) -> str:
    return f"urn:uuid:{uuid.uuid5(GUID_NAMESPACE, f'{episode.kind}/{episode.slug}')}"


def audio_of(episode: PublishedEpisode) -> AssetInfo | None:
    return next(filter(None, (episode.asset(kind) for kind in PODCAST_AUDIO)), None)


def podcast_rss(episodes: list[PublishedEpisode], channel: Channel) -> bytes:
    """RSS 2.0 for the episodes that have podcast audio, in the order given."""
    with_audio = [e for e in episodes if audio_of(e) is not None]
    fg = _feed(channel, "/feed/podcast.xml")
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension,
                          atom=False)
    fg.load_extension("podcast", atom=False)
    fg.podcast.itunes_author(channel.author)
    fg.podcast.itunes_owner(name=channel.owner_name, email=channel.owner_email)
    fg.podcast.itunes_category(channel.category)
    fg.podcast.itunes_type("episodic")
    fg.podcastindex.explicit(False)
    artwork = channel.artwork_url or next(
        (channel.media_url(e.asset(AssetKind.COVER)) for e in with_audio if e.asset(AssetKind.COVER)), "")
    if artwork:
        fg.podcast.itunes_image(artwork)
        fg.image(url=artwork, title=channel.title, link=channel.url("/"))
    if with_audio:  # a build date that only moves when the content does
        fg.lastBuildDate(max(e.updated_at for e in with_audio))
    for episode in with_audio:
        _podcast_item(fg.add_entry(order="append"), episode, channel)
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


def _podcast_item(entry: FeedEntry, episode: PublishedEpisode, channel: Channel) -> None:
    audio = audio_of(episode)
    _common_entry(entry, episode, channel)
    entry.guid(episode_guid(episode), permalink=False)
    entry.enclosure(channel.media_url(audio), str(audio.bytes), audio.mime_type)
    entry.podcast.itunes_duration(round(audio.duration_ms / 1000) or 1)
    cover = episode.asset(AssetKind.COVER)
    if cover is not None:
        entry.podcast.itunes_image(channel.media_url(cover))
    for asset in episode.assets:
        if asset.kind == AssetKind.SUBTITLES and asset.variant == "verbatim" \
                and asset.mime_type in TRANSCRIPT_TYPES:
            entry.podcastindex.transcript(channel.media_url(asset), asset.mime_type,
                                          channel.language)


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
    """Atom for guide videos; each entry links the page and the web video."""
    fg = _feed(channel, "/feed/guides.atom")
    fg.register_extension("atomenclosure", BaseExtension, AtomEnclosureEntryExtension, rss=False)
    fg.title(f"{channel.title} · 办事指南视频")
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
