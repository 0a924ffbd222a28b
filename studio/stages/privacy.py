"""Callers' privacy: the audio of the current revision's private spans is muted in
every rendered file (web, burned-in and vertical videos, podcast MP3 and M4A).

Muted rather than bleeped: silence hides a name or a phone number as well as the
broadcast 1 kHz tone and needs no second source in the filter graph; the caption
text of the span is taken out by staff in the workspace, and only the raw recording,
which never leaves the work folder, still holds the words.
"""
from __future__ import annotations

from studio.reviewed import private_spans
from studio.stages.job import Job
from subtitles.review import PrivateSpan


def spans(job: Job) -> tuple[PrivateSpan, ...]:
    return private_spans(job.work) if job.media.has_audio else ()


def params(job: Job) -> list[list[int]]:
    """The spans as part of a render stage's hash: marking one re-renders."""
    return [[span.start_ms, span.end_ms] for span in spans(job)]


def mute_filter(muted: tuple[PrivateSpan, ...]) -> str:
    """An ffmpeg audio filter silencing ``muted`` (``anull`` when there is nothing to hide).

    >>> mute_filter((PrivateSpan(1000, 2500),))
    "volume=0:enable='between(t,1.000,2.500)'"
    """
    if not muted:
        return "anull"
    windows = "+".join(f"between(t,{s.start_ms / 1000:.3f},{s.end_ms / 1000:.3f})" for s in muted)
    return f"volume=0:enable='{windows}'"
