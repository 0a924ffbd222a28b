"""Find glossary terms in text: leftmost-longest, Simplified-normalised, titles left alone.

Matching runs on :func:`glossary.normalize.normalize_map` output, so Traditional or
pinyin-annotated input still matches; spans are reported on the caller's text.
Text inside 《书名号》 titles and official document names (“关于……的通知”) is
never matched: renaming a document would misquote it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from glossary.normalize import normalize_map
from glossary.termbase import Glossary, Term

_DOC_TYPES = "通知|意见|决定|办法|规定|条例|细则|方案|批复|公告|通告|规则|函"
_PROTECTED = re.compile(
    r"《[^《》\n]*》"
    rf"|[“\"「『][^“”\"「」『』\n]*(?:《|关于|(?:{_DOC_TYPES})[”\"」』])[^“”\"「」『』\n]*[”\"」』]?"
    rf"|关于[^，。；！？、\n“”《》]{{1,50}}?的(?:{_DOC_TYPES})"
)


@dataclass(frozen=True)
class Match:
    """One occurrence: ``text[start:end] == surface``; ``explained`` when already 术语（白话）."""

    start: int
    end: int
    surface: str
    term: Term
    explained: bool = False


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (already normalised) that rewriting must not touch."""
    return [m.span() for m in _PROTECTED.finditer(text)]


def find_normalized(norm: str, glossary: Glossary) -> list[Match]:
    """Matches on already-normalised text (spans index ``norm``)."""
    if not len(glossary.automaton):
        return []
    spans = protected_spans(norm)
    matches = []
    for end, (length, term) in glossary.automaton.iter_long(norm):
        start = end + 1 - length
        if spans and _inside(start, end + 1, spans):
            continue
        explained = norm.startswith(f"（{term.plain}）", end + 1)
        matches.append(Match(start, end + 1, norm[start:end + 1], term, explained))
    return matches


def find_terms(text: str, glossary: Glossary) -> list[Match]:
    """Every term occurrence in ``text``, left to right, never overlapping.

    >>> [m.surface for m in find_terms("政務服務事項下沉到社區", load_default())]  # doctest: +SKIP
    ['政務服務事項', '事項下沉']
    """
    norm, origin = normalize_map(text)
    found = []
    for match in find_normalized(norm, glossary):
        start, end = origin[match.start], origin[match.end - 1] + 1
        found.append(Match(start, end, text[start:end], match.term, match.explained))
    return found


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)
