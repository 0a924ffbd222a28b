"""Align recogniser word times to where speech really is.

Whisper starts a segment where the previous one ended, not where speech starts
(measured on the shared clips: a median 0.4 s early), and its words are
contiguous, so real pauses are invisible. A voice-activity detector finds the
speech regions precisely; each word is moved inside the region it belongs to.
That makes cue starts land on speech onsets and lets the segmenter see pauses.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import Sequence

from subtitles.transcript import Word

Region = tuple[int, int]  # (start_ms, end_ms) of detected speech

# Whisper's word ends are reliable, its starts are not: judge a word by a point
# just before its end.
ANCHOR_BEFORE_END_MS = 100
# A word further than this from any speech is a hallucination over silence or music.
MAX_DISTANCE_FROM_SPEECH_MS = 1000


def align_words(words: Sequence[Word], regions: Sequence[Region]) -> list[Word]:
    """Clamp each word into its speech region; drop words far from any speech.

    >>> align_words([Word(300, 900, "这", 1.0)], [(650, 2000)])
    [Word(start_ms=650, end_ms=900, text='这', probability=1.0)]
    """
    if not regions:
        return list(words)
    starts = [start for start, _ in regions]
    aligned: list[Word] = []
    for word in words:
        anchor = max(word.start_ms, word.end_ms - min(ANCHOR_BEFORE_END_MS,
                                                      (word.end_ms - word.start_ms) // 2))
        region = _region_for(anchor, regions, starts)
        if region is None:
            continue
        start, end = _clamp(word, region)
        if aligned and start < aligned[-1].start_ms:
            start = aligned[-1].start_ms
            end = max(end, start)
        aligned.append(replace(word, start_ms=start, end_ms=end))
    return aligned


def _region_for(point: int, regions: Sequence[Region], starts: list[int]) -> Region | None:
    index = bisect.bisect_right(starts, point) - 1
    candidates = [regions[i] for i in (index, index + 1) if 0 <= i < len(regions)]
    best = min(candidates, key=lambda r: _distance(point, r))
    return best if _distance(point, best) <= MAX_DISTANCE_FROM_SPEECH_MS else None


def _distance(point: int, region: Region) -> int:
    start, end = region
    return 0 if start <= point <= end else min(abs(point - start), abs(point - end))


def _clamp(word: Word, region: Region) -> tuple[int, int]:
    region_start, region_end = region
    duration = word.end_ms - word.start_ms
    start, end = max(word.start_ms, region_start), min(word.end_ms, region_end)
    if end > start:
        return start, end
    if word.end_ms <= region_start:  # wholly before its region: slide in at the onset
        return region_start, min(region_end, region_start + duration)
    return max(region_start, region_end - duration), region_end  # wholly after it


# Whisper base rarely punctuates Chinese, but pauses say where clauses and
# sentences end. After alignment the gaps between words are real silences.
SENTENCE_PAUSE_MS = 250
CLAUSE_PAUSE_MS = 100
CLAUSE_ENDINGS = "，。、；：？！,.;:?!"  # what a clause or a sentence ends with


def ends_clause(text: str) -> bool:
    """Whether ``text`` ends a clause or a sentence (trailing spaces aside)."""
    stripped = text.rstrip()
    return bool(stripped) and stripped[-1] in CLAUSE_ENDINGS


# A clause asking a question ends with a question particle or word (请不起律师怎么办,
# 可以代办吗) or asks "how/what ... 的" (是怎么把关的); an embedded question (教大家怎么
# 申领社保卡) ends otherwise and stays a statement.
_QUESTION = re.compile(r"(?:吗|呢|么|怎么办|怎么样|为什么|什么|哪里|哪儿|多少|对不对|是不是|好不好|行不行"
                       r"|能不能|可不可以|有没有|是(?:怎么|怎样|如何|什么时候|哪)\w*的)$")


def punctuate_pauses(words: Sequence[Word], sentence_pause_ms: int = SENTENCE_PAUSE_MS,
                     clause_pause_ms: int = CLAUSE_PAUSE_MS) -> list[Word]:
    """End a word with 。 or ， where a pause follows it and it has no punctuation yet;
    a sentence whose last clause asks a question ends with ？ instead of 。.

    The segmenter breaks at sentence ends and prefers clause marks, so this lets
    cues start where speakers start. The last word ends a sentence. Whisper base
    seldom writes a ？, so without this every question would lose it.
    """
    marked: list[Word] = []
    clause = ""  # the words since the last punctuation
    for word, following in zip(words, [*words[1:], None]):
        gap = (following.start_ms - word.end_ms) if following else sentence_pause_ms
        text = word.text.rstrip()
        clause += text
        if text and text[-1] not in CLAUSE_ENDINGS and gap >= clause_pause_ms:
            end = "，" if gap < sentence_pause_ms else "？" if _QUESTION.search(clause) else "。"
            word = replace(word, text=text + end)
        if word.text.rstrip()[-1:] in CLAUSE_ENDINGS:
            clause = ""
        marked.append(word)
    return marked
