"""Fix common subtitle errors, as Subtitle Edit's "fix common errors" does.

Drops cues without words, re-breaks badly set lines, splits cues with too many lines,
merges cues too short to read with a neighbour, extends cues into the following
gap for reading speed and minimum duration, and keeps the minimum gap. Cue starts
are never moved earlier: a subtitle must not appear before the speech.
``fix`` is idempotent and its output passes :func:`subtitles.check.check` unless a
rule cannot be met (say, one word wider than a line, or speech too fast to read).
"""
from __future__ import annotations

from typing import Sequence

from subtitles.check import required_ms
from subtitles.cue import Cue
from subtitles.linebreak import atoms, break_cost, break_lines
from subtitles.profiles import Profile
from subtitles.text import display_style, display_width, has_words, join_lines, reading_length

_MAX_ROUNDS = 20


def fix(cues: Sequence[Cue], profile: Profile) -> list[Cue]:
    """Return fixed copies of ``cues`` in time order; ``fix(fix(c, p), p) == fix(c, p)``."""
    current = sorted(cues, key=lambda cue: (cue.start_ms, cue.end_ms))
    for _ in range(_MAX_ROUNDS):
        fixed = _one_round(current, profile)
        if fixed == current:
            break
        current = fixed
    return current


def _one_round(cues: list[Cue], profile: Profile) -> list[Cue]:
    cues = [piece for cue in cues if has_words(cue.text) for piece in laid_out(cue, profile)]
    cues = settle(_separate(cues, profile), profile)
    return settle(_merge_short(cues, profile), profile)


def laid_out(cue: Cue, profile: Profile) -> list[Cue]:
    """``cue`` in display style with its lines re-broken, split in several if too long.

    A cue whose lines are already well set is kept as it is, so fixing is idempotent.
    """
    if _well_set(cue.lines, profile):
        return [cue]
    return _split(display_style(join_lines(cue.lines)), cue.start_ms, cue.end_ms, profile)


def _well_set(lines: tuple[str, ...], profile: Profile) -> bool:
    return 0 < len(lines) <= profile.max_lines and all(
        line and line == display_style(line)
        and (display_width(line) <= profile.max_line_width or len(atoms(line)) == 1)
        for line in lines)


def _split(text: str, start_ms: int, end_ms: int, profile: Profile) -> list[Cue]:
    """Cues for ``text``: one if it fits the lines, else halves cut at the best word
    boundary (clauses first), the time shared by characters."""
    lines = break_lines(text, profile)
    pieces = atoms(text)
    if len(lines) <= profile.max_lines or len(pieces) < 2:
        return [Cue(start_ms, end_ms, lines)]
    cut = min(range(1, len(pieces)), key=lambda at: _split_cost(pieces, at, profile))
    left, right = "".join(pieces[:cut]).strip(), "".join(pieces[cut:]).strip()
    share = reading_length(left) / reading_length(text)
    middle = start_ms + round((end_ms - start_ms) * share)
    return _split(left, start_ms, middle, profile) + _split(right, middle, end_ms, profile)


def _split_cost(pieces: tuple[str, ...], at: int, profile: Profile) -> float:
    left, right = reading_length("".join(pieces[:at])), reading_length("".join(pieces[at:]))
    return break_cost(pieces[at - 1], pieces[at], profile) + abs(left - right) / (left + right)


def _separate(cues: list[Cue], profile: Profile) -> list[Cue]:
    """Cues starting (almost) together: merge them if they fit, else start the later one later."""
    out: list[Cue] = []
    for cue in cues:
        if out and cue.start_ms - profile.min_gap_ms <= out[-1].start_ms:
            merged = _merged(out[-1], cue, profile)
            if merged:
                out[-1] = merged
                continue
            start = out[-1].start_ms + profile.min_duration_ms + profile.min_gap_ms
            cue = cue.shifted(start_ms=start, end_ms=max(cue.end_ms, start))
        out.append(cue)
    return out


def settle(cues: list[Cue], profile: Profile) -> list[Cue]:
    """Extend each cue into the following gap as far as it needs, keeping the minimum gap.

    Cue starts are kept; ends are trimmed to end ``min_gap_ms`` before the next cue
    and to the maximum duration.
    """
    out = []
    for index, cue in enumerate(cues):
        following = cues[index + 1].start_ms - profile.min_gap_ms if index + 1 < len(cues) else None
        end = max(cue.end_ms, cue.start_ms + required_ms(cue, profile))
        end = min(end, cue.start_ms + profile.max_duration_ms)
        out.append(cue.shifted(end_ms=end if following is None else min(end, following)))
    return out


def _merge_short(cues: list[Cue], profile: Profile) -> list[Cue]:
    """Merge each cue too short to read with the next cue, or else the previous, when it fits."""
    out: list[Cue] = []
    pending = list(cues)
    while pending:
        cue = pending.pop(0)
        if cue.duration_ms < required_ms(cue, profile):
            if pending and (merged := _merged(cue, pending[0], profile)):
                pending[0] = merged
                continue
            if out and (merged := _merged(out[-1], cue, profile)):
                out[-1] = merged
                continue
        out.append(cue)
    return out


def _merged(first: Cue, second: Cue, profile: Profile) -> Cue | None:
    """One cue showing both, or None if the text would not fit its lines.

    The end is capped at the maximum duration: merging only happens where the gap is
    too small to extend into, so little of the second cue's time is lost.
    """
    text = display_style(join_lines(first.lines) + " " + join_lines(second.lines))
    lines = break_lines(text, profile)
    if not _well_set(lines, profile):
        return None
    end = min(max(first.end_ms, second.end_ms), first.start_ms + profile.max_duration_ms)
    return Cue(first.start_ms, end, lines)
