"""Find glossary terms in text: leftmost-longest, Simplified-normalised, titles left alone.

Matching runs on :func:`glossary.normalize.normalize_map` output, so Traditional or
pinyin-annotated input still matches; spans are reported on the caller's text.
Text inside 《书名号》 titles and official document names (“关于……的通知”) is
never matched: renaming a document would misquote it.
"""
from __future__ import annotations

import bisect
import math
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
    """One occurrence: ``text[start:end] == surface``; ``explained`` when already 术语（白话）.

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


def find_normalized(norm: str, glossary: Glossary) -> list[Match]:
    """Matches on already-normalised text (spans index ``norm``)."""
    matcher = glossary.matcher
    if not len(matcher) or not norm:
        return []
    spans = protected_spans(norm)
    matches = []
    for index, start, end in _char_offsets(norm, matcher.find(norm.encode())):
        if spans and _inside(start, end, spans):
            continue
        term = matcher.terms[index]
        explained = norm.startswith(f"（{term.plain}）", end)
        matches.append(Match(start, end, matcher.surfaces[index], term, explained))
    return matches


def _char_offsets(text: str, found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Byte offsets of UTF-8 ``text`` → character offsets, in one pass over the matches."""
    if text.isascii():
        return found
    data, out = text.encode(), []
    byte_at, char_at = 0, 0
    for index, start, end in found:
        char_start = char_at + len(data[byte_at:start].decode())
        char_at, byte_at = char_start + len(data[start:end].decode()), end
        out.append((index, char_start, char_at))
    return out


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


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) touches one of the sorted, disjoint ``spans`` (binary search)."""
    i = bisect.bisect_right(spans, (start, math.inf))
    return (i > 0 and spans[i - 1][1] > start) or (i < len(spans) and spans[i][0] < end)
