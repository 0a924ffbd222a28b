"""Load and write term bases: ``load(path)`` → ``loads(text)`` → :class:`Glossary`.

Layered like pysubs2: a path (file or folder of CSVs), a string, and ``dumps`` back
to CSV. Loading refuses a term base with validation errors, naming the line.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from glossary.errors import GlossaryError
from glossary.rows import COLUMNS, Row, parse, read_rows
from glossary.termbase import Glossary, Term
from glossary.validate import split_variants, validate
from subtitles.spreadsheet import spreadsheet_safe


def from_rows(rows: list[Row], source: str = "") -> Glossary:
    """A glossary from rows, raising on the first validation error."""
    errors = [p for p in validate(rows) if p.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s); run 'studio glossary validate')" \
            if len(errors) > 1 else ""
        raise GlossaryError(first.message + more, first.path, first.line)
    return Glossary(tuple(_term(row) for row in rows), source)


def _term(row: Row) -> Term:
    return Term(term=row.get("term"), plain=row.get("plain"), explanation=row.get("explanation"),
                category=row.get("category"), variants=split_variants(row.get("variants")),
                status=row.get("status") or "preferred", mode=row.get("mode") or "replace")


def loads(text: str, path: object = "<string>") -> Glossary:
    return from_rows(parse(text, path), str(path))


def load(path: Path | str) -> Glossary:
    """The term base at ``path``: one CSV file, or a folder whose CSVs are merged."""
    if not Path(path).exists():
        raise GlossaryError("no such term base file or folder", path)
    return from_rows(read_rows(path), str(path))


def dumps(glossary: Glossary) -> str:
    """CSV text (header + one row per term) that :func:`loads` reads back unchanged.

    A cell a spreadsheet would run as a formula gets a leading quote; a loaded term
    base never has one (validation refuses it), so only terms made in code change.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in glossary.terms:
        writer.writerow(map(spreadsheet_safe, (t.term, t.plain, t.explanation, t.category,
                                               "|".join(t.variants), t.status, t.mode)))
    return out.getvalue()
