"""Validation of term-base rows, with the file and line of every problem.

Errors make the term base unusable (``load`` refuses it); warnings are reported by
``studio glossary validate`` but do not stop anything.
"""
from __future__ import annotations

from dataclasses import dataclass

import ahocorasick_rs

from glossary.normalize import to_simplified
from glossary.rows import Row
from glossary.termbase import KINDS, LATER, MODES, STATUSES, default_mode
from subtitles.spreadsheet import starts_formula

MIN_OVERLAP = 2  # one shared character is everyday Chinese, not a conflict
FREE_TEXT = ("term", "plain", "explanation", "category", "variants", "pos", "only_after",
             "not_after", "only_before", "not_before", "example", "source")
UNTOUCHED = ("flag", "keep")  # modes that never put a plain wording in the text


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def split_variants(cell: str) -> tuple[str, ...]:
    """Variants are separated by | ; ； or 、 (whatever staff typed in one cell)."""
    for separator in ";；、":
        cell = cell.replace(separator, "|")
    return tuple(v.strip() for v in cell.split("|") if v.strip())


def surfaces(row: Row) -> tuple[str, ...]:
    return tuple(to_simplified(s) for s in (row.get("term"), *split_variants(row.get("variants"))) if s)


def formula_problem(column: str, value: str) -> str:
    """Why ``value`` may not stand in ``column`` ('' when it may): staff open the term
    base in Excel or WPS, which would run a cell starting with ``=`` as a formula. Such
    cells are refused, not quoted: a quote would reach the subtitles as text.

    >>> formula_problem("plain", "=HYPERLINK(1)")
    "plain '=HYPERLINK(1)' starts with '=', which a spreadsheet runs as a formula; remove it"
    """
    if not starts_formula(value):
        return ""
    return f"{column} {value!r} starts with {value[0]!r}, which a spreadsheet runs as a formula; remove it"


def validate(rows: list[Row]) -> list[Problem]:
    """Every problem in ``rows``: fields first, then duplicates, loops and overlaps.

    >>> [str(p) for p in validate(parse("term,plain\\n容缺受理,\\n"))]  # doctest: +SKIP
    ['<string>:2: error: empty plain wording for 容缺受理']
    """
    problems = [p for row in rows for p in _field_problems(row)]
    owners = _owners(rows, problems)
    problems += _loop_problems(rows, owners)
    problems += _overlap_problems(owners)
    return sorted(problems, key=lambda p: (p.path, p.line))


def _field_problems(row: Row) -> list[Problem]:
    term, found = row.get("term"), []
    mode = row.get("mode") or default_mode(row.get("kind"))
    checks = ((not term, "empty term"),
              (term and not row.get("plain") and mode not in UNTOUCHED,
               f"empty plain wording for {term}"),
              (row.get("status") not in ("", *STATUSES),
               f"status {row.get('status')!r} is not one of {', '.join(STATUSES)}"),
              (row.get("mode") not in ("", *MODES),
               f"mode {row.get('mode')!r} is not one of {', '.join(MODES)}"),
              (row.get("kind") not in ("", *KINDS),
               f"kind {row.get('kind')!r} is not one of {', '.join(KINDS)}"),
              (row.get("later") not in ("", *LATER),
               f"later {row.get('later')!r} is not one of {', '.join(LATER)}"))
    found = [Problem(row.path, row.line, message) for failed, message in checks if failed]
    found += [Problem(row.path, row.line, message) for column in FREE_TEXT
              if (message := formula_problem(column, row.get(column)))]
    if term and not row.get("explanation"):
        found.append(Problem(row.path, row.line, f"no explanation for {term}", "warning"))
    return found


def _owners(rows: list[Row], problems: list[Problem]) -> dict[str, Row]:
    """Surface → the row that defines it; a second definition is a duplicate error."""
    owners: dict[str, Row] = {}
    for row in rows:
        for surface in surfaces(row):
            first = owners.setdefault(surface, row)
            if first is not row:
                problems.append(Problem(row.path, row.line, f"duplicate {surface!r}, "
                                        f"already defined at {first.path}:{first.line}"))
    return owners


def _loop_problems(rows: list[Row], owners: dict[str, Row]) -> list[Problem]:
    """A plain wording that contains a term would be rewritten again: a loop."""
    if not owners:
        return []
    automaton = ahocorasick_rs.AhoCorasick(list(owners))
    return [Problem(row.path, row.line, f"plain wording {row.get('plain')!r} contains the "
                    f"term {hit!r} (line {owners[hit].line}); rewriting would loop")
            for row in rows
            for hit in automaton.find_matches_as_strings(to_simplified(row.get("plain")),
                                                         overlapping=True)]


def _overlap_problems(owners: dict[str, Row]) -> list[Problem]:
    """Terms where one's end is another's start: in 'AB+BC' only the first is found."""
    prefixes: dict[str, list[str]] = {}
    for surface in owners:
        for k in range(MIN_OVERLAP, len(surface)):
            prefixes.setdefault(surface[:k], []).append(surface)
    problems = []
    for surface, row in owners.items():
        for k in range(MIN_OVERLAP, len(surface)):
            for other in prefixes.get(surface[-k:], []):
                if _conflicts(surface, other, k, owners):
                    problems.append(Problem(row.path, row.line, f"{surface!r} overlaps "
                                            f"{other!r} (line {owners[other].line}): in "
                                            f"{surface + other[k:]!r} only {surface!r} is found",
                                            "warning"))
    return problems


def _conflicts(surface: str, other: str, k: int, owners: dict[str, Row]) -> bool:
    """True unless the pair is one row's, one contains the other, or a longer term covers both."""
    if owners[surface] is owners[other] or surface in other or other in surface:
        return False
    joined = surface + other[k:]
    return not any(joined[:j] in owners for j in range(len(surface) + 1, len(joined) + 1))
