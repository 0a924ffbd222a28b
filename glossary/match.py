"""Find glossary terms in text: leftmost-longest, Simplified-normalised, titles left alone.

Matching runs on :func:`glossary.normalize.normalize_map` output, so Traditional or
pinyin-annotated input still matches; spans are reported on the caller's text.
Text inside 《书名号》 titles and official document names (“关于……的通知”) is
never matched: renaming a document would misquote it.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from glossary.normalize import normalize_map
from glossary.termbase import Glossary, Term

_DOC_TYPES = "通知|意见|决定|办法|规定|条例|细则|方案|批复|公告|通告|规则|函"
# Three patterns, each starting with a literal or a small class so the scan is fast.
_PROTECTED = (
    re.compile(r"《[^《》\n]*》"),
    re.compile(rf"[“\"「『][^“”\"「」『』\n]*(?:《|关于|(?:{_DOC_TYPES})[”\"」』])[^“”\"「」『』\n]*[”\"」』]?"),
    re.compile(rf"关于[^，。；！？、\n“”《》]{{1,50}}?的(?:{_DOC_TYPES})"),
)


class Match(NamedTuple):
    """One occurrence: ``text[start:end] == surface``; ``explained`` when already 术语（白话）
    or the name in an aside （术语：白话）.

    A NamedTuple rather than a dataclass: a long text has tens of thousands of these.
    """

    start: int
    end: int
    surface: str
    term: Term
    explained: bool = False


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, merged spans of ``text`` (already normalised) that must not be touched."""
    spans = sorted(m.span() for pattern in _PROTECTED for m in pattern.finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def locate(norm: str, glossary: Glossary) -> list[tuple[int, int, int]]:
    """(spelling index in ``glossary.matcher``, start, end) of every match outside titles.

    The bare tuples are what :func:`glossary.rewrite.rewrite` needs; building a
    :class:`Match` per occurrence would double its time on long texts.
    """
    if not len(glossary.matcher) or not norm:
        return []
    return _outside(glossary.matcher.find(norm), protected_spans(norm))


def find_normalized(norm: str, glossary: Glossary) -> list[Match]:
    """Matches on already-normalised text (spans index ``norm``)."""
    m = glossary.matcher
    return [Match(start, end, m.surfaces[i], m.terms[i], m.explained(norm, i, start, end))
            for i, start, end in locate(norm, glossary)]


def _outside(found: list[tuple[int, int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The matches that touch no protected span; both lists are sorted, so one walk does it."""
    if not spans:
        return found
    kept, j = [], 0
    for match in found:
        while j < len(spans) and spans[j][1] <= match[1]:
            j += 1
        if j == len(spans) or spans[j][0] >= match[2]:
            kept.append(match)
    return kept


def find_terms(text: str, glossary: Glossary) -> list[Match]:
    """Every term occurrence in ``text``, left to right, never overlapping.

    >>> [m.surface for m in find_terms("政務服務事項下沉到社區", load_default())]  # doctest: +SKIP
    ['政務服務事項']
    """
    norm, origin = normalize_map(text)
    found = []
    for match in find_normalized(norm, glossary):
        start, end = origin[match.start], origin[match.end - 1] + 1
        found.append(match._replace(start=start, end=end, surface=text[start:end]))
    return found
