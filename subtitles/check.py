"""Check cues against a profile, as a broadcaster's QC pass would.

Every broken rule becomes a :class:`Violation` naming the cue (1-based, as players
and editors number them), its start time and a short rule id. :func:`check_file`
checks a whole file's dialogue, track by track, numbering cues as editors do.

``split-word`` reports a line break inside a word: jieba's words always, and the words
the caller passes as ``keep`` (the CLI and the pipeline pass the glossary's terms; this
package knows no glossary).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import AbstractSet, Iterator, Sequence

import pysubs2

from subtitles.cue import Cue
from subtitles.events import dialogue_tracks
from subtitles.linebreak import NO_KEEP, split_words
from subtitles.profiles import Profile
from subtitles.text import display_width, has_words, reading_length

RULES = ("empty", "lines", "line-width", "split-word", "min-duration", "max-duration", "cps", "overlap",
         "gap")


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


def check(cues: Sequence[Cue], profile: Profile, keep: AbstractSet[str] = NO_KEEP) -> list[Violation]:
    """Every rule of ``profile`` that ``cues`` break, in cue order; empty when all is well.
    ``keep``: words besides jieba's that a line must not break (``split-word``).

    >>> check([Cue(0, 500, ("好的",))], get_profile("broadcast-zh"))[0].rule
    'min-duration'
    """
    violations = []
    for number, cue in enumerate(cues, start=1):
        previous = (number - 1, cues[number - 2]) if number > 1 else None
        violations += [Violation(number, cue.start_ms, rule, detail)
                       for rule, detail in _problems(cue, previous, profile, keep)]
    return violations


def check_file(subs: pysubs2.SSAFile, profile: Profile, keep: AbstractSet[str] = NO_KEEP) -> list[Violation]:
    """:func:`check` for the dialogue of a whole file (see :mod:`subtitles.events`).

    A cue is numbered by its event's place in the file, comments and signs counted,
    as Aegisub numbers lines; overlap and gap compare it with the cue before it in
    time on its own track (style and layer), so a bilingual pair shown together is fine.
    """
    violations = []
    for track in dialogue_tracks(subs).values():
        in_time = sorted(track, key=lambda cue: (cue.start_ms, cue.end_ms, cue.origin))
        for previous, cue in zip([None, *in_time], in_time):
            before = (previous.origin + 1, previous) if previous else None
            violations += [Violation(cue.origin + 1, cue.start_ms, rule, detail)
                           for rule, detail in _problems(cue, before, profile, keep)]
    return sorted(violations, key=lambda violation: violation.cue)


def _problems(cue: Cue, previous: tuple[int, Cue] | None, profile: Profile,
              keep: AbstractSet[str]) -> Iterator[tuple[str, str]]:
    """The rules ``cue`` breaks; ``previous`` is the (number, cue) shown before it."""
    if not has_words(cue.text):
        yield "empty", "has no words"
    yield from _layout_problems(cue, profile, keep)
    yield from _timing_problems(cue, profile)
    if previous is not None:
        number, before = previous
        gap = cue.start_ms - before.end_ms
        if gap < 0:
            yield "overlap", f"starts {-gap} ms before cue {number} ends"
        elif gap < profile.min_gap_ms:
            yield "gap", (f"starts {gap} ms after cue {number} ends; "
                          f"the minimum gap is {profile.min_gap_ms} ms")


def _layout_problems(cue: Cue, profile: Profile, keep: AbstractSet[str]) -> Iterator[tuple[str, str]]:
    if len(cue.lines) > profile.max_lines:
        yield "lines", f"has {len(cue.lines)} lines; at most {profile.max_lines} fit"
    for index, line in enumerate(cue.lines, start=1):
        width = display_width(line)
        if width > profile.max_line_width:
            yield "line-width", (f"line {index} is {width:g} characters wide; "
                                 f"at most {profile.max_line_width:g} fit")
    if not cue.locked:  # formatting tags are no words; a locked cue is never re-broken
        for word in split_words(cue.lines, profile, keep):
            yield "split-word", f"a line break splits 「{word}」"


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
