"""Glossary-aware post-correction of a transcript: misheard jargon back to the term.

A span of the transcript is replaced by a glossary term when their pinyin is
identical or very close (see :mod:`glossary.pinyin`). The rule is conservative
and general, not tuned to any clip:

* a term of 4+ characters: all syllables but one identical, mean similarity ≥ 0.85;
* 3 characters: two identical, the third near (one confusable initial or final);
* 2 characters: identical syllables *and* tones, and the heard span is not itself a
  word in jieba's dictionary (中午 stays 中午; 是向 may become 事项).

Replacements are the same length as what they replace, so word timings survive.
Every change is returned with its span, before, after, term and score.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import NamedTuple, overload

from glossary.match import find_normalized, protected_spans
from glossary.normalize import to_simplified
from glossary.pinyin import NEAR, char_similarity, phrase, readings, toneless
from glossary.termbase import Glossary
from subtitles.transcript import Transcript, map_word_texts

MIN_MEAN = 0.85


@dataclass(frozen=True)
class Fix:
    start: int
    end: int
    before: str
    after: str
    term: str
    score: float
    segment: int | None = None  # index in the transcript, when correcting one


@dataclass(frozen=True)
class Correction:
    text: str
    changes: tuple[Fix, ...]


class TranscriptCorrection(NamedTuple):
    """A corrected copy of a Transcript (every time unchanged) and the changes made."""

    transcript: Transcript
    changes: tuple[Fix, ...]


@dataclass(frozen=True)
class _Target:
    surface: str  # Simplified spelling that gets written
    term: str
    syllables: tuple[str, ...]


@overload
def correct(source: str, glossary: Glossary) -> Correction: ...
@overload
def correct(source: Transcript, glossary: Glossary) -> TranscriptCorrection: ...


def correct(source, glossary):
    """Correct misheard terms in a string, or in every segment of a Transcript.

    For a Transcript, returns a :class:`TranscriptCorrection`: a new Transcript
    (segment and word texts corrected, every time unchanged) and the changes, each
    with its segment index.

    >>> correct("可以通过以往通办平台申请", load_default()).text  # doctest: +SKIP
    '可以通过一网通办平台申请'
    """
    if isinstance(source, Transcript):
        return _correct_transcript(source, glossary)
    return _correct_text(source, glossary)


def _correct_text(text: str, glossary: Glossary) -> Correction:
    simplified = to_simplified(text)
    blocked = _blocked(simplified, glossary)
    chosen: list[Fix] = []
    for fix in sorted(_candidates(simplified, glossary), key=lambda f: (-f.score, f.start - f.end, f.start)):
        if not any(blocked[fix.start:fix.end]):
            chosen.append(fix)
            blocked[fix.start:fix.end] = [True] * (fix.end - fix.start)
    chosen.sort(key=lambda f: f.start)
    out = list(text)
    for fix in chosen:
        out[fix.start:fix.end] = fix.after
    return Correction("".join(out), tuple(chosen))


def _blocked(text: str, glossary: Glossary) -> list[bool]:
    """Characters already part of a correct term, or inside a title, are never touched."""
    blocked = [False] * len(text)
    spans = [(m.start, m.end) for m in find_normalized(text, glossary)] + protected_spans(text)
    for start, end in spans:
        blocked[start:end] = [True] * (end - start)
    return blocked


def _candidates(text: str, glossary: Glossary) -> list[Fix]:
    """Windows that share enough identical syllables with a term, then scored in full."""
    index = _index(glossary)
    hits: dict[tuple[int, _Target], set[int]] = defaultdict(set)
    for i, char in enumerate(text):
        for reading in {toneless(r) for r in readings(char)}:
            for target, j in index.get(reading, ()):
                if i - j >= 0:
                    hits[i - j, target].add(j)
    fixes = []
    for (start, target), exact in hits.items():
        if len(exact) >= len(target.syllables) - 1:
            fix = _score(text, start, target, len(exact))
            fixes += [fix] if fix else []
    return fixes


def _score(text: str, start: int, target: _Target, exact: int) -> Fix | None:
    heard = text[start:start + len(target.syllables)]
    if len(heard) < len(target.syllables) or heard == target.surface:
        return None
    scores = [char_similarity(c, s) for c, s in zip(heard, target.syllables)]
    mean = sum(scores) / len(scores)
    if not _accept(heard, target, scores, exact, mean):
        return None
    return Fix(start, start + len(heard), heard, target.surface, target.term, round(mean, 3))


def _accept(heard: str, target: _Target, scores: list[float], exact: int, mean: float) -> bool:
    length = len(target.syllables)
    if length == 2:
        return exact == 2 and _same_tones(heard, target) and not _is_word(heard)
    if length == 3:
        return exact >= 2 and min(scores) >= NEAR
    return exact >= length - 1 and mean >= MIN_MEAN and min(scores) > 0


def _same_tones(heard: str, target: _Target) -> bool:
    return all(s in readings(c) for c, s in zip(heard, target.syllables))


@functools.lru_cache(maxsize=4096)
def _is_word(text: str) -> bool:
    from subtitles.linebreak import word_frequencies  # jieba: loaded once, on first use

    return bool(word_frequencies().get(text))


@functools.lru_cache(maxsize=8)
def _index(glossary: Glossary) -> dict[str, list[tuple[_Target, int]]]:
    """Toneless syllable → (target, position) for every all-Han surface of 2+ characters."""
    index: dict[str, list[tuple[_Target, int]]] = defaultdict(list)
    for term in glossary.terms:
        for surface in {to_simplified(s) for s in term.surfaces}:
            syllables = phrase(surface)
            if len(surface) < 2 or len(syllables) != len(surface) or not all(map(readings, surface)):
                continue
            target = _Target(surface, term.term, syllables)
            for j, syllable in enumerate(syllables):
                index[toneless(syllable)].append((target, j))
    return dict(index)


def _correct_transcript(transcript: Transcript, glossary: Glossary) -> TranscriptCorrection:
    segments, changes = [], []
    for number, segment in enumerate(transcript.segments):
        result = _correct_text(segment.text, glossary)
        changes += [replace(fix, segment=number) for fix in result.changes]
        words = map_word_texts(segment.words, lambda text: _correct_text(text, glossary).text)
        segments.append(replace(segment, text=result.text, words=words))
    return TranscriptCorrection(replace(transcript, segments=segments), tuple(changes))
