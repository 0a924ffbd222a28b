"""Check cues against a profile, as a broadcaster's QC pass would.

Every broken rule becomes a :class:`Violation` naming the cue (1-based, as players
and editors number them), its start time and a short rule id.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Sequence

from subtitles.cue import Cue
from subtitles.profiles import Profile
from subtitles.text import display_width, has_words, reading_length

RULES = ("empty", "lines", "line-width", "min-duration", "max-duration", "cps", "overlap", "gap")


def timestamp(ms: int) -> str:
    """SRT-style time for people: ``timestamp(3723004) == "01:02:03,004"``."""
    sign, ms = ("-", -ms) if ms < 0 else ("", ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{sign}{hours:02d}:{minutes:02d}:{rest // 1000:02d},{rest % 1000:03d}"


@dataclass(frozen=True)
class Violation:
    cue: int  # 1-based
    start_ms: int
    rule: str  # one of RULES
    detail: str  # an English sentence

    def __str__(self) -> str:
        return f"cue {self.cue} at {timestamp(self.start_ms)}: {self.rule}: {self.detail}"


def required_ms(cue: Cue, profile: Profile) -> int:
    """How long ``cue`` must stay up: its reading time, at least the minimum, at most the maximum."""
    reading = math.ceil(reading_length(cue.text) * 1000 / profile.max_cps)
    return min(max(profile.min_duration_ms, reading), profile.max_duration_ms)


def check(cues: Sequence[Cue], profile: Profile) -> list[Violation]:
    """Every rule of ``profile`` that ``cues`` break, in cue order; empty when all is well.

    >>> check([Cue(0, 500, ("好的",))], get_profile("broadcast-zh"))[0].rule
    'min-duration'
    """
    violations = []
    for number, cue in enumerate(cues, start=1):
        previous = cues[number - 2] if number > 1 else None
        violations += [Violation(number, cue.start_ms, rule, detail)
                       for rule, detail in _problems(cue, number, previous, profile)]
    return violations


def _problems(cue: Cue, number: int, previous: Cue | None,
              profile: Profile) -> Iterator[tuple[str, str]]:
    if not has_words(cue.text):
        yield "empty", "has no words"
    yield from _layout_problems(cue, profile)
    yield from _timing_problems(cue, profile)
    if previous is not None:
        gap = cue.start_ms - previous.end_ms
        if gap < 0:
            yield "overlap", f"starts {-gap} ms before cue {number - 1} ends"
        elif gap < profile.min_gap_ms:
            yield "gap", (f"starts {gap} ms after cue {number - 1} ends; "
                          f"the minimum gap is {profile.min_gap_ms} ms")


def _layout_problems(cue: Cue, profile: Profile) -> Iterator[tuple[str, str]]:
    if len(cue.lines) > profile.max_lines:
        yield "lines", f"has {len(cue.lines)} lines; at most {profile.max_lines} fit"
    for index, line in enumerate(cue.lines, start=1):
        width = display_width(line)
        if width > profile.max_line_width:
            yield "line-width", (f"line {index} is {width:g} characters wide; "
                                 f"at most {profile.max_line_width:g} fit")


def _timing_problems(cue: Cue, profile: Profile) -> Iterator[tuple[str, str]]:
    duration = cue.duration_ms
    if duration < profile.min_duration_ms:
        yield "min-duration", f"shows for {duration} ms; the minimum is {profile.min_duration_ms} ms"
    if duration > profile.max_duration_ms:
        yield "max-duration", f"shows for {duration} ms; the maximum is {profile.max_duration_ms} ms"
    chars = reading_length(cue.text)
    if duration > 0 and chars * 1000 > profile.max_cps * duration:
        yield "cps", (f"needs {chars * 1000 / duration:.1f} characters per second; "
                      f"the maximum is {profile.max_cps:g}")
