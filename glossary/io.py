"""Load and write term bases: ``load(path)`` → ``loads(text)`` → :class:`Glossary`.

Layered like pysubs2: a path (file or folder of CSVs), a string, and ``dumps`` back
to CSV. Loading refuses a term base with validation errors, naming the line.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from glossary.errors import GlossaryError
from glossary.rows import COLUMNS, CONTEXT_COLUMNS, Row, parse, read_rows
from glossary.termbase import Glossary, Term, default_mode
from glossary.validate import split_variants, validate
from subtitles.spreadsheet import spreadsheet_safe

REQUIRED_WIDTH = 7  # term … mode: the columns every exported term base has


def from_rows(rows: list[Row], source: str = "") -> Glossary:
    """A glossary from rows, raising on the first validation error."""
    errors = [p for p in validate(rows) if p.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s); run 'studio glossary validate')" \
            if len(errors) > 1 else ""
        raise GlossaryError(first.message + more, first.path, first.line)
    return Glossary((), source).with_terms(term_from_row(row) for row in rows)


def term_from_row(row: Row) -> Term:
    """The term of a validated row; an empty mode is the default for the term's kind."""
    return Term(term=row.get("term"), plain=row.get("plain"), explanation=row.get("explanation"),
                category=row.get("category"), variants=split_variants(row.get("variants")),
                status=row.get("status") or "preferred",
                mode=row.get("mode") or default_mode(row.get("kind")), kind=row.get("kind"),
                later=row.get("later") or "term", pos=row.get("pos"),
                **{column: split_variants(row.get(column)) for column in CONTEXT_COLUMNS},
                example=row.get("example"), source=row.get("source"), note=row.get("note"))


def loads(text: str, path: object = "<string>") -> Glossary:
    return from_rows(parse(text, path), str(path))


def load(path: Path | str) -> Glossary:
    """The term base at ``path``: one CSV file, or a folder whose CSVs are merged."""
    if not Path(path).exists():
        raise GlossaryError("no such term base file or folder", path)
    return from_rows(read_rows(path), str(path))


def dumps(glossary: Glossary) -> str:
    """CSV text (header + one row per term, drafts included) that :func:`loads` reads
    back unchanged. The optional columns (kind, context rules, example, source, note, …)
    are written only when some term fills them, so an older term base exports as it was.

    A cell a spreadsheet would run as a formula gets a leading quote; a loaded term
    base never has one (validation refuses it), so only terms made in code change.
    """
    rows = [_cells(t) for t in glossary.all_terms]
    defaults = _cells(Term("", ""))
    columns = [i for i, column in enumerate(COLUMNS)
               if i < REQUIRED_WIDTH or any(row[i] != defaults[i] for row in rows)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[i] for i in columns)
    for row in rows:
        writer.writerow(spreadsheet_safe(row[i]) for i in columns)
    return out.getvalue()


def _cells(t: Term) -> tuple[str, ...]:
    """``t`` as the cells of a CSV row, in :data:`COLUMNS` order."""
    return (t.term, t.plain, t.explanation, t.category, "|".join(t.variants), t.status, t.mode,
            t.kind, t.later, t.pos, *("|".join(getattr(t, c)) for c in CONTEXT_COLUMNS),
            t.example, t.source, t.note)
