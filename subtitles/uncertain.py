"""Words the recogniser was unsure of, marked where they still stand in the reviewed cues.

Whisper gives every word a probability; a low one is where a proofreader should
look first (有意义 heard for 有异议 passes every automatic check). The catalog keeps
only the unsure words of the machine transcript (:func:`unsure_words`), with their
times; the workspace marks them in whatever revision staff are editing
(:func:`marks`). A mark is found by the word's text within the cue it was heard in,
so once staff correct the word its mark disappears with it.

>>> heard = [Word(0, 400, "趋", 0.31), Word(400, 800, "司法局", 0.93)]
>>> marks(Cue(0, 1000, ("欢迎来到趋司法局",)), unsure_words(heard))
[Mark(start=4, end=5, word='趋', probability=0.31)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from subtitles.cue import Cue
from subtitles.transcript import Word

#: Words below this probability are marked. Measured by ``bench/review_marks.py`` on 14
#: clips with known text (bench/RESULTS.md): 0.8 marks about a fifth of the words and
#: catches about 60 % of the real character errors; 0.5 caught only about a quarter.
#: A fixed probability, not the clip's lowest N %: at the same share marked both catch
#: the same, and a fixed one marks more where the recogniser is less sure (real
#: recordings, where it gets about one character in five wrong).
LOW_PROBABILITY = 0.8


@dataclass(frozen=True)
class Mark:
    """An unsure word inside a cue: character offsets into ``cue.text``."""
    start: int
    end: int
    word: str
    probability: float


def unsure_words(words: Iterable[Word], below: float = LOW_PROBABILITY) -> list[Word]:
    """The words heard with a probability under ``below`` (blank words skipped)."""
    return [word for word in words if word.probability < below and word.text.strip()]


def marks(cue: Cue, words: Sequence[Word]) -> list[Mark]:
    """Where the unsure ``words`` heard during ``cue`` still stand in its text, in order.

    Each word marks its first occurrence not already marked; a word no longer in the
    text (corrected) marks nothing.
    """
    text, taken, found = cue.text, [False] * len(cue.text), []
    for word in words:
        if word.end_ms <= cue.start_ms or word.start_ms >= cue.end_ms:
            continue
        needle = word.text.strip()
        at = text.find(needle) if needle else -1  # a blank word would mark nothing at 0
        while at >= 0 and any(taken[at:at + len(needle)]):
            at = text.find(needle, at + 1)
        if at < 0:
            continue
        taken[at:at + len(needle)] = [True] * len(needle)
        found.append(Mark(at, at + len(needle), needle, word.probability))
    return sorted(found, key=lambda mark: mark.start)
