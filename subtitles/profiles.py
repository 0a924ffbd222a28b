"""Subtitle profiles: the broadcast rules a cue must follow, as plain data.

A profile is chosen by name (``--profile``, setting ``profile``); the registry is a
plain dict, as pysubs2 keeps its formats. Add a profile by adding a row, not code.
"""
from __future__ import annotations

from dataclasses import dataclass

from subtitles.errors import UnknownProfileError


@dataclass(frozen=True)
class Profile:
    """Limits for one kind of screen. Widths count a half-width character as 0.5."""

    name: str
    max_line_width: float = 16.0
    max_lines: int = 2
    max_cps: float = 9.0  # characters per second, spaces not counted
    min_duration_ms: int = 833
    max_duration_ms: int = 7000
    min_gap_ms: int = 80  # two frames at 25 fps
    pause_break_ms: int = 500  # a pause this long always ends a cue
    frame_rate: int = 25
    sentence_ends: str = "。？！?!…"
    preferred_breaks: str = "，、；：,;:"


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile("broadcast-zh"),
        # 9:16 short video: the picture is narrow, so lines are shorter.
        Profile("vertical-zh", max_line_width=12.0),
        # Live roll-up captions: the bottom line fills as words are confirmed, then moves up.
        Profile("live-zh", max_line_width=16.0, max_lines=2, pause_break_ms=800),
    )
}


def get_profile(name: str) -> Profile:
    """Return the profile called ``name``, e.g. ``get_profile("broadcast-zh").max_lines == 2``."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(name, sorted(PROFILES)) from None
