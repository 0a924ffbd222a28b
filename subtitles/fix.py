"""Fix common subtitle errors, as Subtitle Edit's "fix common errors" does.

Drops cues without words, re-breaks badly set lines, splits cues with too many lines,
merges cues too short to read with a neighbour, extends cues into the following
gap for reading speed and minimum duration, and keeps the minimum gap. Cue starts
are never moved earlier: a subtitle must not appear before the speech; a merge
that would show the later cue's text more than :data:`MAX_EARLY_MS` before its own
start is not made. Locked cues (text with formatting tags) are only retimed.
``fix`` is idempotent and its output passes :func:`subtitles.check.check` unless a
rule cannot be met (say, one word wider than a line, or speech too fast to read).
:func:`fix_file` fixes the dialogue of a whole file, track by track.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import replace
from typing import AbstractSet, Sequence

import pysubs2

from subtitles.check import required_ms
from subtitles.cue import Cue
from subtitles.events import cue_of, dialogue_tracks
from subtitles.linebreak import NO_KEEP, atoms, break_cost, break_lines, fitting, split_words
from subtitles.profiles import Profile
from subtitles.text import display_style, display_width, has_words, join_lines, reading_length

_MAX_ROUNDS = 20
#: A merge shows the later cue's text from the earlier cue's start. Up to this much
#: early is the price of not flashing a too-short cue (a "好的" of 400 ms before the
#: next line); beyond it, the short cue stays short and `check` reports it.
MAX_EARLY_MS = 1000


def fix(cues: Sequence[Cue], profile: Profile, grid_ms: int = 1,
        keep: AbstractSet[str] = NO_KEEP) -> list[Cue]:
    """Return fixed copies of ``cues`` in time order; ``fix(fix(c, p), p) == fix(c, p)``.

    Every time fix sets falls on ``grid_ms`` (10 for ASS, which stores centiseconds),
    so a fixed file checks as it was fixed once written and read back. Lines that fix
    re-breaks never break inside a word of ``keep`` (see :func:`subtitles.linebreak.atoms`).
    """
    current = sorted(cues, key=lambda cue: (cue.start_ms, cue.end_ms))
    keep = fitting(keep, profile)
    for _ in range(_MAX_ROUNDS):
        fixed = _one_round(current, profile, grid_ms, keep)
        if fixed == current:
            break
        current = fixed
    return current


def fix_file(subs: pysubs2.SSAFile, profile: Profile, grid_ms: int = 1,
             keep: AbstractSet[str] = NO_KEEP) -> pysubs2.SSAFile:
    """A copy of ``subs`` with its dialogue fixed, each (style, layer) track on its own.

    Styles, script info, signs, comments and every other event stay as they were and
    where they were; a fixed cue is written back in the place, style, layer and
    margins of the event it came from, with its tags if it was locked.
    """
    tracks = dialogue_tracks(subs).values()
    dialogue = {cue.origin for track in tracks for cue in track}
    fixed: dict[int, list[Cue]] = defaultdict(list)
    for cue in (cue for track in tracks for cue in fix(track, profile, grid_ms, keep)):
        fixed[cue.origin].append(cue)
    out = copy.deepcopy(subs)
    out.events = []
    for position, event in enumerate(subs.events):
        if position not in dialogue:
            out.events.append(event.copy())
        out.events += [_event_showing(event, cue) for cue in fixed[position]]
    return out


def _event_showing(event: pysubs2.SSAEvent, cue: Cue) -> pysubs2.SSAEvent:
    """A copy of ``event`` with ``cue``'s times, and its lines when they changed."""
    shown = event.copy()
    shown.start, shown.end = cue.start_ms, cue.end_ms
    if cue.lines != cue_of(event).lines:
        shown.text = r"\N".join(cue.lines)
    return shown


def _one_round(cues: list[Cue], profile: Profile, grid: int, keep: frozenset[str]) -> list[Cue]:
    cues = [piece for cue in cues if has_words(cue.text) for piece in laid_out(cue, profile, grid, keep)]
    cues = settle(_separate(cues, profile, grid, keep), profile, grid)
    return settle(_merge_short(cues, profile, grid, keep), profile, grid)


def laid_out(cue: Cue, profile: Profile, grid_ms: int = 1,
             keep: frozenset[str] = NO_KEEP) -> list[Cue]:
    """``cue`` in display style with its lines re-broken, split in several if too long.

    A cue whose lines are already well set is kept as it is, so fixing is idempotent;
    so is a locked one, whose text must stay as written.
    """
    if cue.locked or _well_set(cue.lines, profile, keep):
        return [cue]
    return _split(cue, display_style(join_lines(cue.lines)), cue.start_ms, cue.end_ms,
                  profile, grid_ms, keep)


def _well_set(lines: tuple[str, ...], profile: Profile, keep: frozenset[str]) -> bool:
    return 0 < len(lines) <= profile.max_lines and all(
        line and line == display_style(line)
        and (display_width(line) <= profile.max_line_width or len(atoms(line)) == 1)
        for line in lines) and not split_words(lines, profile, keep)


def _split(cue: Cue, text: str, start_ms: int, end_ms: int, profile: Profile,
           grid: int, keep: frozenset[str]) -> list[Cue]:
    """Cues like ``cue`` for ``text``: one if it fits the lines, else halves cut at the
    best word boundary (clauses first), the time shared by characters."""
    lines = break_lines(text, profile, keep)
    pieces = atoms(text, keep)
    if len(lines) <= profile.max_lines or len(pieces) < 2:
        return [replace(cue, start_ms=start_ms, end_ms=end_ms, lines=lines)]
    cut = min(range(1, len(pieces)), key=lambda at: _split_cost(pieces, at, profile))
    left, right = "".join(pieces[:cut]).strip(), "".join(pieces[cut:]).strip()
    share = reading_length(left) / reading_length(text)
    middle = start_ms + round((end_ms - start_ms) * share / grid) * grid
    return (_split(cue, left, start_ms, middle, profile, grid, keep)
            + _split(cue, right, middle, end_ms, profile, grid, keep))


def _split_cost(pieces: tuple[str, ...], at: int, profile: Profile) -> float:
    left, right = reading_length("".join(pieces[:at])), reading_length("".join(pieces[at:]))
    return break_cost(pieces[at - 1], pieces[at], profile) + abs(left - right) / (left + right)


def _separate(cues: list[Cue], profile: Profile, grid: int, keep: frozenset[str]) -> list[Cue]:
    """Cues starting (almost) together: merge them if they fit, else start the later one later."""
    out: list[Cue] = []
    for cue in cues:
        if out and cue.start_ms - profile.min_gap_ms <= out[-1].start_ms:
            merged = _merged(out[-1], cue, profile, grid, keep)
            if merged:
                out[-1] = merged
                continue
            start = _up(out[-1].start_ms + profile.min_duration_ms + profile.min_gap_ms, grid)
            cue = cue.shifted(start_ms=start, end_ms=max(cue.end_ms, start))
        out.append(cue)
    return out


def settle(cues: list[Cue], profile: Profile, grid_ms: int = 1) -> list[Cue]:
    """Extend each cue into the following gap as far as it needs, keeping the minimum gap.

    Cue starts are kept; ends are trimmed to end ``min_gap_ms`` before the next cue
    and to the maximum duration (on ``grid_ms``: rounding up could break the limit).
    """
    out = []
    for index, cue in enumerate(cues):
        following = (_down(cues[index + 1].start_ms - profile.min_gap_ms, grid_ms)
                     if index + 1 < len(cues) else None)
        end = max(cue.end_ms, _up(cue.start_ms + required_ms(cue, profile), grid_ms))
        end = min(end, cue.start_ms + _down(profile.max_duration_ms, grid_ms))
        out.append(cue.shifted(end_ms=end if following is None else min(end, following)))
    return out


def _merge_short(cues: list[Cue], profile: Profile, grid: int, keep: frozenset[str]) -> list[Cue]:
    """Merge each cue too short to read with the next cue, or else the previous, when it fits."""
    out: list[Cue] = []
    pending = list(cues)
    while pending:
        cue = pending.pop(0)
        if cue.duration_ms < required_ms(cue, profile):
            if pending and (merged := _merged(cue, pending[0], profile, grid, keep)):
                pending[0] = merged
                continue
            if out and (merged := _merged(out[-1], cue, profile, grid, keep)):
                out[-1] = merged
                continue
        out.append(cue)
    return out


def _merged(first: Cue, second: Cue, profile: Profile, grid: int, keep: frozenset[str]) -> Cue | None:
    """One cue showing both, or None if either is locked, the second's text would show
    more than :data:`MAX_EARLY_MS` early, or the text would not fit its lines.

    The end is capped at the maximum duration: merging only happens where the gap is
    too small to extend into, so little of the second cue's time is lost.
    """
    if first.locked or second.locked or second.start_ms - first.start_ms > MAX_EARLY_MS:
        return None
    text = display_style(join_lines(first.lines) + " " + join_lines(second.lines))
    lines = break_lines(text, profile, keep)
    if not _well_set(lines, profile, keep):
        return None
    end = min(max(first.end_ms, second.end_ms), first.start_ms + _down(profile.max_duration_ms, grid))
    return replace(first, end_ms=end, lines=lines)


def _up(ms: int, grid: int) -> int:
    return -(-ms // grid) * grid


def _down(ms: int, grid: int) -> int:
    return ms // grid * grid
