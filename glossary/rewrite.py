"""Rewrite jargon into plain language: replace, annotate as 术语（白话）, or only flag.

The output is the normalised (Simplified, pinyin-free) text. Rewriting twice gives
the same text as rewriting once: replaced terms are gone (validation forbids a
plain wording that contains a term) and annotated ones are recognised by their
（白话） and left as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from glossary.match import Match, find_normalized
from glossary.normalize import normalize
from glossary.termbase import Glossary, Mode


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


def replacement(match: Match, mode: Mode) -> str | None:
    """What ``match`` becomes in ``mode``, or None when it stays as it is."""
    if mode == "replace":
        return match.term.plain
    if mode == "annotate" and not match.explained:
        return match.term.annotated
    return None


def rewrite(text: str, glossary: Glossary, mode: Mode | None = None) -> Rewrite:
    """Apply the glossary; ``mode`` overrides every term's own mode for this run.

    >>> rewrite("可以容缺受理", load_default()).text  # doctest: +SKIP
    '可以收件后补材料'
    """
    norm = normalize(text)
    pieces, changes, position = [], [], 0
    for match in find_normalized(norm, glossary):
        after = replacement(match, mode or match.term.mode)
        if after is None:
            continue
        end = _end_with_annotation(norm, match) if after == match.term.plain else match.end
        pieces += [norm[position:match.start], after]
        changes.append(Change(match.start, end, norm[match.start:end], after, match.term.term,
                              mode or match.term.mode))
        position = end
    pieces.append(norm[position:])
    return Rewrite("".join(pieces), tuple(changes))


def _end_with_annotation(norm: str, match: Match) -> int:
    """Replacing 术语（白话） replaces the whole annotated form, not just 术语."""
    return match.end + len(match.term.plain) + 2 if match.explained else match.end
