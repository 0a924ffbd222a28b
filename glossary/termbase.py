"""The term base: jargon terms, their plain wording, and a matcher built once.

A :class:`Glossary` is immutable: edits produce a new one (``with_terms``), so a
matcher built for it can never go stale.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Literal

import ahocorasick_rs

from glossary.errors import GlossaryError

if TYPE_CHECKING:
    from glossary.learned import LearnedCorrection

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
    """Terms plus a leftmost-longest Aho-Corasick matcher over every spelling (built on creation).

    ``corrections`` are the heard forms staff taught the correction step
    (:mod:`glossary.learned`); they never change matching or rewriting.
    """

    terms: tuple[Term, ...]
    source: str = ""
    corrections: tuple["LearnedCorrection", ...] = ()
    _matcher: "Matcher" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_matcher", Matcher(self.terms, self.source))

    @property
    def matcher(self) -> "Matcher":
        return self._matcher

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, term: str) -> Term | None:
        return next((t for t in self.terms if term in t.surfaces), None)

    def with_terms(self, terms: Iterable[Term]) -> "Glossary":
        """A new glossary with ``terms`` added, replacing entries of the same term."""
        new = {t.term: t for t in terms}
        kept = tuple(t for t in self.terms if t.term not in new)
        return Glossary(kept + tuple(new.values()), self.source, self.corrections)

    def with_corrections(self, corrections: Iterable["LearnedCorrection"]) -> "Glossary":
        """The same terms with ``corrections`` (the active ones) applied by the correction step."""
        return replace(self, corrections=tuple(c for c in corrections if c.active))


class Matcher:
    """Every Simplified spelling → its term, searched leftmost-longest (Aho-Corasick).

    ahocorasick-rs rather than pyahocorasick: with 2,000 terms pyahocorasick 2.3 was
    measured 3x slower on the benchmark text (bench/RESULTS.md); ahocorasick-rs also
    does leftmost-longest natively.
    """

    def __init__(self, terms: tuple[Term, ...], source: str = ""):
        from glossary.normalize import to_simplified  # normalize imports nothing of ours

        owners: dict[str, Term] = {}
        for term in terms:
            for surface in term.surfaces:
                key = to_simplified(surface)
                if not key:
                    raise GlossaryError(f"term {term.term!r} has an empty spelling", source or None)
                owners.setdefault(key, term)
        self.surfaces = tuple(owners)
        self.terms = tuple(owners.values())
        self.annotations = tuple(f"（{term.plain}）" for term in self.terms)  # what "explained" looks for
        self._automaton = ahocorasick_rs.AhoCorasick(
            self.surfaces, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def __len__(self) -> int:
        return len(self.surfaces)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(spelling index, start, end) of every leftmost-longest match in ``text``."""
        return self._automaton.find_matches_as_indexes(text)
