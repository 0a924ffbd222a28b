"""Rewrite jargon into plain language: replace, annotate as 术语（白话）, or only flag.

The output is the normalised (Simplified, pinyin-free) text. Rewriting twice gives
the same text as rewriting once: replaced terms are gone (validation forbids a
plain wording that contains a term) and annotated ones are recognised by their
（白话） and left as they are.

Staff may keep the official wording at chosen places (保留规范说法): a :class:`Place`
names one occurrence of a term in a text (the term and which of its occurrences,
counted from 0), which stays valid when the text around it is edited. The review
workspace stores the places with the revision and passes them back here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, NamedTuple

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
    occurrence: int = 0  # which occurrence of ``term`` in the text, from 0: see :class:`Place`

    @property
    def place(self) -> "Place":
        return Place(self.term, self.occurrence)


class Place(NamedTuple):
    """The ``occurrence``-th (from 0) match of ``term`` (its headword) in a text."""

    term: str
    occurrence: int


@dataclass(frozen=True)
class Rewrite:
    text: str
    changes: tuple[Change, ...]
    kept: tuple[Change, ...] = ()  # what would have changed at the places asked to keep


def replacement(term: Term, explained: bool, mode: Mode) -> str | None:
    """What an occurrence of ``term`` becomes in ``mode``, or None when it stays as it is."""
    if mode == "replace":
        return term.plain
    if mode == "annotate" and not explained:
        return term.annotated
    return None


def rewrite(text: str, glossary: Glossary, mode: Mode | None = None,
            keep: Collection[Place] = ()) -> Rewrite:
    """Apply the glossary; ``mode`` overrides every term's own mode for this run.

    Replacing an already annotated 术语（白话） replaces the whole of it. The places in
    ``keep`` stay as written; each is reported in ``kept`` with what it would have become.

    >>> rewrite("可以容缺受理", load_default()).text  # doctest: +SKIP
    '可以收件后补材料'
    >>> rewrite("可以容缺受理", load_default(), keep={Place("容缺受理", 0)}).text  # doctest: +SKIP
    '可以容缺受理'
    """
    norm = normalize(text)
    terms, annotations = glossary.matcher.terms, glossary.matcher.annotations
    pieces, changes, kept, position, seen = [], [], [], 0, {}
    for i, start, end in locate(norm, glossary):
        term, term_mode = terms[i], mode or terms[i].mode
        occurrence = seen[term.term] = seen.get(term.term, -1) + 1
        explained = norm.startswith(annotations[i], end)
        after = replacement(term, explained, term_mode)
        if after is None:
            continue
        if explained and after == term.plain:
            end += len(annotations[i])
        change = Change(start, end, norm[start:end], after, term.term, term_mode, occurrence)
        if change.place in keep:
            kept.append(change)
            continue
        pieces += (norm[position:start], after)
        changes.append(change)
        position = end
    pieces.append(norm[position:])
    return Rewrite("".join(pieces), tuple(changes), tuple(kept))
