"""The kinds of published file: one table for publishing, the catalog, feeds and the site.

``media_assets.kind`` holds these values; :class:`AssetKind` is a ``StrEnum``, so a
kind read back from the database compares equal to its member.
"""
from __future__ import annotations

from enum import StrEnum


class AssetKind(StrEnum):
    WEB_VIDEO = "web_video"            # the episode as the site plays it
    BURNED_VIDEO = "burned_video"      # subtitles burned in (for social media)
    VERTICAL_VIDEO = "vertical_video"  # 9:16 burned-in variant
    PODCAST_MP3 = "podcast_mp3"
    PODCAST_M4A = "podcast_m4a"
    POSTER = "poster"                  # a frame of the video, shown before it plays
    COVER = "cover"                    # square podcast artwork
    SUBTITLES = "subtitles"            # variant "verbatim" or "plain"; format from the MIME type
    TRANSCRIPT_JSON = "transcript_json"


# Podcast audio in order of preference for a feed's enclosure; downloads of these count.
PODCAST_AUDIO = (AssetKind.PODCAST_MP3, AssetKind.PODCAST_M4A)
# Videos in the order the guide feed prefers them.
VIDEOS = (AssetKind.WEB_VIDEO, AssetKind.BURNED_VIDEO, AssetKind.VERTICAL_VIDEO)
# Kinds with a running time (probed when published).
TIMED = (*VIDEOS, *PODCAST_AUDIO)
