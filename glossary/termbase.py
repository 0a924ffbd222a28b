"""The term base: jargon terms, their plain wording, and a matcher built once.

A :class:`Glossary` is immutable: edits produce a new one (``with_terms``), so a
matcher built for it can never go stale.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

import ahocorasick

from glossary.errors import GlossaryError

Status = Literal["preferred", "deprecated", "forbidden"]
Mode = Literal["replace", "annotate", "flag"]
STATUSES: tuple[str, ...] = ("preferred", "deprecated", "forbidden")
MODES: tuple[str, ...] = ("replace", "annotate", "flag")


@dataclass(frozen=True)
class Term:
    """One jargon term, as comms staff write it in the CSV.

    ``status`` follows TBX usage for the *term*: preferred (the official name; explain
    it), deprecated (an outdated name), forbidden (must not reach the public).
    ``mode`` says what rewriting does with it: replace, annotate as 术语（白话）, or flag.
    """

    term: str
    plain: str
    explanation: str = ""
    category: str = ""
    variants: tuple[str, ...] = ()
    status: Status = "preferred"
    mode: Mode = "replace"

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Every spelling that counts as this term: the term first, then its variants."""
        return (self.term, *self.variants)

    @property
    def annotated(self) -> str:
        return f"{self.term}（{self.plain}）"


@dataclass(frozen=True)
class Glossary:
    """Terms plus an Aho-Corasick automaton over every surface form (built on creation)."""

    terms: tuple[Term, ...]
    source: str = ""
    _automaton: ahocorasick.Automaton = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_automaton", _build_automaton(self.terms, self.source))

    @property
    def automaton(self) -> ahocorasick.Automaton:
        return self._automaton

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, term: str) -> Term | None:
        return next((t for t in self.terms if term in t.surfaces), None)

    def with_terms(self, terms: Iterable[Term]) -> "Glossary":
        """A new glossary with ``terms`` added, replacing entries of the same term."""
        new = {t.term: t for t in terms}
        kept = tuple(t for t in self.terms if t.term not in new)
        return Glossary(kept + tuple(new.values()), self.source)


def _build_automaton(terms: tuple[Term, ...], source: str) -> ahocorasick.Automaton:
    """Map every surface (Simplified, as matching runs on normalised text) to its term."""
    from glossary.normalize import to_simplified  # normalize imports nothing of ours

    automaton = ahocorasick.Automaton()
    for term in terms:
        for surface in term.surfaces:
            key = to_simplified(surface)
            if not key:
                raise GlossaryError(f"term {term.term!r} has an empty spelling", source or None)
            if key not in automaton:
                automaton.add_word(key, (len(key), term))
    if len(automaton):
        automaton.make_automaton()
    return automaton
