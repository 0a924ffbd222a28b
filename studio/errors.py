"""Errors of the pipeline and its media files (thin subclasses of the one root)."""
from __future__ import annotations

from subtitles.errors import WulingError


class StudioError(WulingError):
    """A pipeline failure the user can act on: names the file (if any) and the problem."""


class MediaError(StudioError):
    """A media file that ffmpeg cannot read, or that lacks what a step needs."""
