"""Cut cues from word timings, following a subtitle profile.

Whisper's Chinese "words" are often single characters or pieces of a word, so the
joined text is cut again into atoms (jieba words, whole 《titles》, see
:mod:`subtitles.linebreak`) and each atom takes its times from the characters
under it. Cues end at sentence ends and long pauses; longer stretches are cut,
by dynamic programming, into as few cues as fit the profile, preferring clause
punctuation and pauses, then balanced sizes. :func:`subtitles.fix.fix` then sets
the timing (reading speed, minimum duration, minimum gap).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Sequence

from subtitles.cue import Cue
from subtitles.fix import fix
from subtitles.linebreak import (NO_KEEP, atoms, break_cost, display_pieces, ends_with, fitting,
                                 line_count, set_lines)
from subtitles.profiles import Profile
from subtitles.text import display_width
from subtitles.transcript import Word


@dataclass(frozen=True)
class TimedAtom:
    text: str
    start_ms: int
    end_ms: int


def segment_words(words: Sequence[Word], profile: Profile,
                  keep: AbstractSet[str] = NO_KEEP) -> list[Cue]:
    """Cues for ``words`` under ``profile``; deterministic and pure. Neither a cue nor
    a line breaks inside a word of ``keep`` (say, the glossary's terms) that fits a line.

    >>> words = [Word(0, 400, "大家", 0.9), Word(400, 700, "好", 0.9), Word(700, 800, "。", 0.9)]
    >>> segment_words(words, get_profile("broadcast-zh"))
    [Cue(start_ms=0, end_ms=833, lines=('大家好',))]
    """
    keep = fitting(keep, profile)
    cues = [_cue(group, profile) for phrase in _phrases(timed_atoms(words, keep), profile)
            for group in _cut(phrase, profile)]
    return fix(cues, profile, keep=keep)


def timed_atoms(words: Sequence[Word], keep: frozenset[str] = NO_KEEP) -> list[TimedAtom]:
    """Atoms of the words' joined text (``keep``: see :func:`subtitles.linebreak.atoms`),
    timed by the characters under them.

    A word's time is shared evenly among its characters; spaces join the atom before.
    """
    text = "".join(word.text for word in words)
    times = _char_times(words)
    out: list[TimedAtom] = []
    position = 0
    for piece in atoms(text, keep):
        spoken = [times[position + i] for i, char in enumerate(piece) if not char.isspace()]
        position += len(piece)
        if spoken:
            out.append(TimedAtom(piece, spoken[0][0], spoken[-1][1]))
        elif out:
            out[-1] = TimedAtom(out[-1].text + piece, out[-1].start_ms, out[-1].end_ms)
    return out


def _char_times(words: Sequence[Word]) -> list[tuple[int, int]]:
    times = []
    for word in words:
        count, start = len(word.text), word.start_ms
        span = max(0, word.end_ms - start)
        times += [(start + span * i // count, start + span * (i + 1) // count) for i in range(count)]
    return times


def _phrases(timed: list[TimedAtom], profile: Profile) -> list[list[TimedAtom]]:
    """Runs of atoms that no cue may cross: split after sentence ends and long pauses."""
    phrases: list[list[TimedAtom]] = [[]]
    for index, atom in enumerate(timed):
        phrases[-1].append(atom)
        following = timed[index + 1] if index + 1 < len(timed) else None
        if following and (ends_with(atom.text, profile.sentence_ends) or
                          following.start_ms - atom.end_ms >= profile.pause_break_ms):
            phrases.append([])
    return [phrase for phrase in phrases if phrase]


def _cut(phrase: list[TimedAtom], profile: Profile) -> list[list[TimedAtom]]:
    """The fewest groups of ``phrase`` that each fit one cue; then the cheapest such cut.

    best[end] is the (groups, cost) of the best cut of ``phrase[:end]`` and where its
    last group starts. A single atom always makes a group, so a cut always exists.
    """
    best: dict[int, tuple[tuple[int, float], int]] = {0: ((0, 0.0), 0)}
    for end in range(1, len(phrase) + 1):
        choices = []
        for start in range(end - 1, -1, -1):
            if end - start > 1 and not _fits(phrase[start:end], profile):
                if _hopeless(phrase[start:end], profile):
                    break
                continue
            (groups, cost), _ = best[start]
            choices.append(((groups + 1, cost + _group_cost(phrase, start, end, profile)), start))
        best[end] = min(choices)
    bounds = [len(phrase)]
    while bounds[-1] > 0:
        bounds.append(best[bounds[-1]][1])
    bounds.reverse()
    return [phrase[a:b] for a, b in zip(bounds, bounds[1:])]


def _pieces(group: Sequence[TimedAtom]) -> tuple[str, ...]:
    return display_pieces([atom.text for atom in group])


def _text(group: Sequence[TimedAtom]) -> str:
    return "".join(_pieces(group))


def _fits(group: Sequence[TimedAtom], profile: Profile) -> bool:
    pieces = _pieces(group)
    return (line_count(pieces, profile) <= profile.max_lines
            and all(display_width(piece) <= profile.max_line_width for piece in pieces)
            and group[-1].end_ms - group[0].start_ms <= profile.max_duration_ms)


def _hopeless(group: Sequence[TimedAtom], profile: Profile) -> bool:
    """True when no longer group can fit either, so the search may stop growing it."""
    return (display_width(_text(group)) > profile.max_lines * profile.max_line_width
            or group[-1].end_ms - group[0].start_ms > profile.max_duration_ms)


def _group_cost(phrase: list[TimedAtom], start: int, end: int, profile: Profile) -> float:
    """Unevenness (squared free room) plus the cost of the break before the group.

    A pause before the group makes that break cheaper, up to half a word break.
    """
    room = 1 - display_width(_text(phrase[start:end])) / (profile.max_lines * profile.max_line_width)
    if start == 0:
        return room ** 2
    before, after = phrase[start - 1], phrase[start]
    pause = min(max(0, after.start_ms - before.end_ms), profile.pause_break_ms) / profile.pause_break_ms
    return room ** 2 + break_cost(before.text, after.text, profile) - 0.5 * pause


def _cue(group: Sequence[TimedAtom], profile: Profile) -> Cue:
    return Cue(group[0].start_ms, group[-1].end_ms, set_lines(_pieces(group), profile))
