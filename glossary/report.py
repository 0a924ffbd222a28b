"""What ``studio glossary check`` reports: every term with where it is, and the score.

A document is a list of :class:`Unit` (a cue with its start time, or a line of a
text file); the score is over the whole document.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from glossary.match import find_terms
from glossary.score import score
from glossary.termbase import Glossary


@dataclass(frozen=True)
class Unit:
    kind: str  # "cue" or "line"
    number: int  # 1-based
    text: str
    start_ms: int | None = None


@dataclass(frozen=True)
class Finding:
    kind: str
    number: int
    start_ms: int | None
    surface: str
    term: str
    plain: str
    status: str
    explained: bool


@dataclass(frozen=True)
class Report:
    units: int
    chars: int
    terms: int
    density: float
    score: int
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return asdict(self)


def report(units: list[Unit], glossary: Glossary) -> Report:
    """Find every term in ``units`` and score the whole text."""
    findings = tuple(Finding(unit.kind, unit.number, unit.start_ms, m.surface, m.term.term,
                             m.term.plain, m.term.status, m.explained)
                     for unit in units for m in find_terms(unit.text, glossary))
    total = score("\n".join(unit.text for unit in units), glossary)
    return Report(len(units), total.chars, total.terms, total.density, total.score, findings)
