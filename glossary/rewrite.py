"""Rewrite jargon into plain language: replace, annotate as 术语（白话）, or only flag.

The output is the normalised (Simplified, pinyin-free) text. Rewriting twice gives
the same text as rewriting once: replaced terms are gone (validation forbids a
plain wording that contains a term) and annotated ones are recognised by their
（白话） and left as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from glossary.match import locate
from glossary.normalize import normalize
from glossary.termbase import Glossary, Mode, Term


class Change(NamedTuple):
    """One rewrite: the span of the *input* (normalised) text and what replaced it."""

    start: int
    end: int
    before: str
    after: str
    term: str
    mode: str


@dataclass(frozen=True)
class Rewrite:
    text: str
    changes: tuple[Change, ...]


def replacement(term: Term, explained: bool, mode: Mode) -> str | None:
    """What an occurrence of ``term`` becomes in ``mode``, or None when it stays as it is."""
    if mode == "replace":
        return term.plain
    if mode == "annotate" and not explained:
        return term.annotated
    return None


def rewrite(text: str, glossary: Glossary, mode: Mode | None = None) -> Rewrite:
    """Apply the glossary; ``mode`` overrides every term's own mode for this run.

    Replacing an already annotated 术语（白话） replaces the whole of it.

    >>> rewrite("可以容缺受理", load_default()).text  # doctest: +SKIP
    '可以收件后补材料'
    """
    norm = normalize(text)
    terms, annotations = glossary.matcher.terms, glossary.matcher.annotations
    pieces, changes, position = [], [], 0
    for i, start, end in locate(norm, glossary):
        term, term_mode = terms[i], mode or terms[i].mode
        explained = norm.startswith(annotations[i], end)
        after = replacement(term, explained, term_mode)
        if after is None:
            continue
        if explained and after == term.plain:
            end += len(annotations[i])
        pieces += (norm[position:start], after)
        changes.append(Change(start, end, norm[start:end], after, term.term, term_mode))
        position = end
    pieces.append(norm[position:])
    return Rewrite("".join(pieces), tuple(changes))
