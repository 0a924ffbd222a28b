"""Glossary-aware post-correction of a transcript: misheard jargon back to the term.

A span of the transcript is replaced by a glossary term when their pinyin is
identical or very close (see :mod:`glossary.pinyin`). Every term of the term base is
searched by its syllables as a Southwestern Mandarin speaker may say them (n/l, f/h,
z/zh, c/ch, s/sh, -n/-ng merged: :func:`glossary.pinyin.accent_form`). The rule is
conservative and general, not tuned to any clip:

* a term of 4+ characters: all syllables but one identical, that one near or with the
  term's initial, or else only rhyming (any Han character in a term of 7+) and no part
  of a word of what was heard; or every syllable the same in the accent, all but two
  identical, mean similarity ≥ 0.85;
* 3 characters: two identical, the third near (one confusable initial or final, or
  the same in the accent);
* 2 characters: identical syllables *and* tones (是向 may become 事项);
* a syllable is identical when the heard character's usual reading is the term's (a
  rare reading, 给 ji3, is only near);
* never when the heard span is itself a word in jieba's dictionary (中午 stays 中午,
  行政处分 stays 行政处分), lies inside a longer one (三胞 in 三胞胎), starts inside one
  word and ends inside another (依法短期限制), or lengthens a term already right by
  changing an ordinary word beside it (证明实行告知承诺制).

The same search, with a looser rule, gives :func:`suggest`: stretches that sound like a
term but fall short of correcting on their own, offered to a reviewer to accept with
one key. Corrections staff taught (:mod:`glossary.learned`, attached to the glossary)
are applied first, with the same safeguards: never in a title, never on a term already
right, never inside a longer word.

Pinyin replacements are the same length as what they replace, so word timings survive.
Every change is returned with its span, before, after, term and score.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import NamedTuple, overload

from glossary.match import find_normalized, protected_spans
from glossary.normalize import to_simplified
from glossary.pinyin import (FAR, NEAR, WEAK, accent_form, char_similarity, phrase, readings, same_syllable,
                             toneless)
from glossary.termbase import Glossary
from subtitles.transcript import Transcript, map_word_texts

MIN_MEAN = 0.85  # auto-correction, terms of 4+ characters
SUGGEST_MEAN = 0.75  # suggestion, terms of 4+ characters
WORD_REACH = 3  # how far a longer word containing a heard span may reach either side of it
AUTO, SUGGEST = "auto", "suggest"
FREE, IN_TERM, LOCKED = 0, 1, 2  # what a correction may do to a character (see _state)


@dataclass(frozen=True)
class Fix:
    start: int
    end: int
    before: str
    after: str
    term: str
    score: float
    segment: int | None = None  # index in the transcript, when correcting one
    rule: str = "pinyin"  # "pinyin": sounds like the term; "learned": a correction staff taught


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


def suggest(text: str, glossary: Glossary) -> tuple[Fix, ...]:
    """Stretches of ``text`` that sound like a term, for a reviewer to accept or ignore.

    The auto-correction is conservative (a wrong "correction" of official text is
    worse than a miss); this offers everything the same candidate search finds at the
    looser suggestion level, left to right, never overlapping, never in a title or
    on a term already right.

    >>> [(f.before, f.after) for f in suggest("申请行政复意", load_default())]  # doctest: +SKIP
    [('行政复意', '行政复议')]
    """
    simplified = to_simplified(text)
    return tuple(_choose([fix for fix, _ in _candidates(simplified, glossary)], simplified,
                         _state(simplified, glossary)))


def _correct_text(text: str, glossary: Glossary) -> Correction:
    simplified = to_simplified(text)
    state = _state(simplified, glossary)
    fixes = _learned(simplified, glossary) + [fix for fix, level in _candidates(simplified, glossary)
                                               if level == AUTO and not _rewords(fix, simplified, state)]
    chosen = _choose(fixes, simplified, state)
    out = list(text)
    for fix in reversed(chosen):  # right to left: a taught correction may change the length
        out[fix.start:fix.end] = fix.after
    return Correction("".join(out), tuple(chosen))


def _choose(fixes: list[Fix], text: str, state: list[int]) -> list[Fix]:
    """Taught corrections first, then the best-scoring and longest; never overlapping."""
    chosen = []
    for fix in sorted(fixes, key=lambda f: (f.rule != "learned", -f.score, f.start - f.end, f.start)):
        if _fits(fix, text, state):
            chosen.append(fix)
            state[fix.start:fix.end] = [LOCKED] * (fix.end - fix.start)
    return sorted(chosen, key=lambda f: f.start)


def _state(text: str, glossary: Glossary) -> list[int]:
    """Characters inside a title are locked; those of a term already right may only stay
    as they are, so 住房公积金体取 can become 住房公积金提取 but no term is ever changed."""
    state = [FREE] * len(text)
    for match in find_normalized(text, glossary):
        state[match.start:match.end] = [IN_TERM] * (match.end - match.start)
    for start, end in protected_spans(text):
        state[start:end] = [LOCKED] * (end - start)
    return state


def _fits(fix: Fix, text: str, state: list[int]) -> bool:
    same_length = len(fix.after) == fix.end - fix.start
    return all(state[k] == FREE or state[k] == IN_TERM and same_length and fix.after[k - fix.start] == text[k]
               for k in range(fix.start, fix.end))


def _rewords(fix: Fix, text: str, state: list[int]) -> bool:
    """Whether ``fix`` lengthens a term already right by changing a character of an
    ordinary word beside it (证明实行告知承诺制 to 证明事项告知承诺制): the term shows the
    speaker was heard well there, so the word beside it is what they said. A misheard
    stretch that is no word (住房公积金体取) is still corrected."""
    if IN_TERM not in state[fix.start:fix.end]:
        return False
    inside = _inside_positions(text)
    return any(k in inside or k + 1 in inside for k in range(fix.start, fix.end)
               if state[k] == FREE and text[k] != fix.after[k - fix.start])


def _learned(text: str, glossary: Glossary) -> list[Fix]:
    """Every place a taught correction's heard form stands, unless inside a longer word."""
    fixes = []
    for taught in glossary.corrections:
        at = text.find(taught.heard)
        while at >= 0:
            end = at + len(taught.heard)
            if not inside_longer_word(text, at, end):
                fixes.append(Fix(at, end, taught.heard, taught.after, taught.after, 1.0, rule="learned"))
            at = text.find(taught.heard, at + 1)
    return fixes


def _candidates(text: str, glossary: Glossary) -> list[tuple[Fix, str]]:
    """Windows that share enough syllables with a term (the same as the accent says
    them), scored in full, each with its level (:data:`AUTO` or :data:`SUGGEST`)."""
    index, vocabulary = _index(glossary), _vocabulary(glossary)
    hits: dict[tuple[int, _Target], dict[int, bool]] = defaultdict(dict)  # position → identical?
    for i, char in enumerate(text):
        for reading in {toneless(r) for r in readings(char)}:
            for target, j in index.get(accent_form(reading), ()):
                if i - j >= 0:
                    seen = hits[i - j, target]
                    seen[j] = seen.get(j, False) or same_syllable(char, target.syllables[j], target.surface[j])
    found = []
    for (start, target), alike in hits.items():
        length = len(target.syllables)
        if len(alike) >= (length - 1 if length <= 3 else length - 2):
            candidate = _score(text, start, target, sum(alike.values()), len(alike), vocabulary)
            found += [candidate] if candidate else []
    return found


def _score(text: str, start: int, target: _Target, exact: int, alike: int,
           vocabulary: frozenset[str]) -> tuple[Fix, str] | None:
    """``exact``: heard syllables identical to the term's; ``alike``: the same in the accent."""
    heard = text[start:start + len(target.syllables)]
    if len(heard) < len(target.syllables) or heard == target.surface:
        return None
    scores = [char_similarity(c, s, w) for c, s, w in zip(heard, target.syllables, target.surface)]
    mean = sum(scores) / len(scores)
    fix = Fix(start, start + len(heard), heard, target.surface, target.term, round(mean, 3))
    if _accept(heard, target, scores, exact, alike, mean) and not _ordinary(text, fix.start, fix.end) \
            and not _straddles_words(text, fix.start, fix.end) \
            and not _says_other_terms(heard, target, vocabulary):
        return fix, AUTO
    return (fix, SUGGEST) if _suggestable(target, scores, exact, mean) else None


def _accept(heard: str, target: _Target, scores: list[float], exact: int, alike: int,
            mean: float) -> bool:
    length = len(target.syllables)
    if length == 2:
        return exact == 2 and _same_tones(heard, target)
    if length == 3:
        return exact >= 2 and min(scores) >= NEAR
    if exact >= length - 1:
        return _one_syllable_off(heard, scores, exact)
    return mean >= MIN_MEAN and min(scores) > 0 and alike == length and exact >= length - 2


def _one_syllable_off(heard: str, scores: list[float], exact: int) -> bool:
    """A 4+ character term heard with every syllable identical but one: that one near or
    with the term's initial (执政 for 执照), or else only rhyming (隔令改正 for 责令改正), or
    in a term of 7+ any Han character, as long as it is no part of a word of what was heard
    (形成复议 is words said, not 行政复议 misheard)."""
    worst = min(scores)
    if worst >= WEAK:
        return True
    off, inside = scores.index(worst), _inside_positions(heard)
    return (worst > 0 or exact >= 6 and all(map(readings, heard))) \
        and off not in inside and off + 1 not in inside


def _suggestable(target: _Target, scores: list[float], exact: int, mean: float) -> bool:
    """The looser level: homophones whatever their tones, one far syllable in three,
    two near ones in four or more."""
    length = len(target.syllables)
    if length == 2:
        return exact == 2
    if length == 3:
        return exact >= 2 and min(scores) >= FAR
    return exact >= length - 2 and mean >= SUGGEST_MEAN and min(scores) > 0


def heard_as(heard: str, surface: str, glossary: Glossary) -> bool:
    """Whether ``heard`` sounds like the term spelling ``surface`` (the suggestion level
    or better) and is no ordinary word: a misheard form worth learning."""
    return len(heard) == len(surface) and not _is_word(heard) and any(
        fix.after == surface for fix, _ in _candidates(to_simplified(heard), glossary))


def _says_other_terms(heard: str, target: _Target, vocabulary: frozenset[str]) -> bool:
    """Whether a word of ``heard`` where it differs from the term is a word the term base
    uses in other terms: said on purpose, then (行政监管, with the 监管 of 包容审慎监管,
    is no mishearing of 行政机关), while a misheard word (执政 for 执照) is in no term."""
    start = 0
    for word in _words(heard):
        end = start + len(word)
        if word in vocabulary and word != target.surface[start:end]:
            return True
        start = end
    return False


@functools.lru_cache(maxsize=8)
def _vocabulary(glossary: Glossary) -> frozenset[str]:
    """The words (2+ characters) that the term base's spellings are made of."""
    return frozenset(word for term in glossary.terms for surface in term.surfaces
                     for word in _words(to_simplified(surface)) if len(word) > 1)


def _words(text: str) -> tuple[str, ...]:
    from subtitles.linebreak import atoms  # jieba, cached, as line breaking cuts words

    return atoms(text)


def _ordinary(text: str, start: int, end: int) -> bool:
    """An ordinary word, or part of a longer one, is never auto-corrected: 行政处分 is
    not a mishearing of 行政处罚, nor 三胞 in 三胞胎 one of 三包."""
    return _is_word(text[start:end]) or inside_longer_word(text, start, end)


def _straddles_words(text: str, start: int, end: int) -> bool:
    """Whether the span starts inside one word of the text and ends inside another, as
    the segmenter cuts it (法短期限 in 依法/短期/限制): then it is words said on purpose."""
    inside = _inside_positions(text)
    return start in inside and end in inside


@functools.lru_cache(maxsize=256)
def _inside_positions(text: str) -> frozenset[int]:
    """Positions between two Han characters of one dictionary word, as the segmenter cuts
    ``text`` (a stretch it only guessed to be a word, such as 体取, is none)."""
    inside, at = set(), 0
    for atom in _words(text):
        lead, word, _ = re.fullmatch(r"(\W*)(.*?)(\W*)", atom).groups()  # punctuation attached
        if _is_word(word):
            inside.update(range(at + len(lead) + 1, at + len(lead) + len(word)))
        at += len(atom)
    return frozenset(inside)


def inside_longer_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside a longer dictionary word (中午 in 中午饭)."""
    return any(_is_word(text[a:b])
               for a in range(max(0, start - WORD_REACH), start + 1)
               for b in range(end, min(len(text), end + WORD_REACH) + 1) if (a, b) != (start, end))


def _same_tones(heard: str, target: _Target) -> bool:
    return all(s in readings(c) for c, s in zip(heard, target.syllables))


@functools.lru_cache(maxsize=4096)
def _is_word(text: str) -> bool:
    from subtitles.linebreak import word_frequencies  # jieba: loaded once, on first use

    return bool(word_frequencies().get(text))


@functools.lru_cache(maxsize=8)
def _index(glossary: Glossary) -> dict[str, list[tuple[_Target, int]]]:
    """Accent form (:func:`glossary.pinyin.accent_form`) → (target, position) for every
    all-Han surface of 2+ characters."""
    index: dict[str, list[tuple[_Target, int]]] = defaultdict(list)
    for term in glossary.terms:
        for surface in {to_simplified(s) for s in term.surfaces}:
            syllables = phrase(surface)
            if len(surface) < 2 or len(syllables) != len(surface) or not all(map(readings, surface)):
                continue
            target = _Target(surface, term.term, syllables)
            for j, syllable in enumerate(syllables):
                index[accent_form(syllable)].append((target, j))
    return dict(index)


def _correct_transcript(transcript: Transcript, glossary: Glossary) -> TranscriptCorrection:
    segments, changes = [], []
    for number, segment in enumerate(transcript.segments):
        result = _correct_text(segment.text, glossary)
        changes += [replace(fix, segment=number) for fix in result.changes]
        words = map_word_texts(segment.words, lambda text: _correct_text(text, glossary).text)
        segments.append(replace(segment, text=result.text, words=words))
    return TranscriptCorrection(replace(transcript, segments=segments), tuple(changes))
