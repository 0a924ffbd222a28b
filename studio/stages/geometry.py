"""Picture sizes for the deliverables: at most 1080p, even dimensions, 9:16 canvas.

Pure arithmetic on the probed source, kept apart so it is easy to test and so the
render stage only assembles ffmpeg arguments.
"""
from __future__ import annotations

from dataclasses import dataclass

from studio.media import MediaInfo

MAX_LONG, MAX_SHORT = 1920, 1080


@dataclass(frozen=True)
class Size:
    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def even(value: float) -> int:
    """Round down to an even number (H.264 with 4:2:0 chroma needs even sizes)."""
    return max(2, int(value) // 2 * 2)


def web_size(media: MediaInfo) -> Size:
    """The displayed size (rotation applied), shrunk to fit 1080p, made even."""
    width, height = media.display_size
    scale = min(1.0, MAX_LONG / max(width, height), MAX_SHORT / min(width, height))
    return Size(even(width * scale), even(height * scale))


def vertical_size(web: Size) -> Size:
    """A 9:16 canvas as tall as the web video's long side (never upscaled past 1920)."""
    height = even(min(MAX_LONG, max(web.width, web.height)))
    return Size(even(height * 9 / 16), height)
