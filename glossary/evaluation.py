"""Exact jargon recall of a transcript against its ground truth, and false corrections
(benchmarks and tests).

Recall counts, for every glossary term occurrence in the reference, whether the
hypothesis has the term spelt exactly: a homophone is a miss.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from glossary.match import find_terms
from glossary.termbase import Glossary
from subtitles.evaluation import character_errors

if TYPE_CHECKING:
    from glossary.correct import Fix
    from subtitles.transcript import Transcript


def term_counts(text: str, glossary: Glossary) -> Counter[str]:
    return Counter(m.surface for m in find_terms(text, glossary))


def term_recall(hypothesis: str, reference: str, glossary: Glossary) -> tuple[int, int]:
    """(reference term occurrences found exactly in the hypothesis, all of them)."""
    wanted, got = term_counts(reference, glossary), term_counts(hypothesis, glossary)
    return sum(min(n, got[term]) for term, n in wanted.items()), sum(wanted.values())


def false_corrections(text: str, fixes: Iterable["Fix"], reference: str) -> list["Fix"]:
    """The corrections of ``text`` that, each applied alone, leave it with more character
    errors against ``reference``: they put something where the speaker said otherwise.

    Judged by edits, not by term counts: a fix of 重防攻击金提取 to 重防公积金提取 is right
    although the reference counts 住房公积金, not 公积金提取, there.
    """
    base = character_errors(text, reference).edits
    return [fix for fix in fixes
            if character_errors(text[:fix.start] + fix.after + text[fix.end:], reference).edits > base]


def transcript_false_corrections(raw: "Transcript", fixes: Iterable["Fix"], reference: str) -> list["Fix"]:
    """:func:`false_corrections` for the changes ``glossary.correct`` made to a transcript
    (each names its segment and its span in that segment's text)."""
    texts = [segment.text for segment in raw.segments]
    offsets = [sum(len(t) for t in texts[:i]) for i in range(len(texts))]
    moved = [replace(fix, start=fix.start + offsets[fix.segment], end=fix.end + offsets[fix.segment])
             for fix in fixes]
    return false_corrections("".join(texts), moved, reference)
