"""A round's results as tables: the ranking and every submitted score, as CSV or XLSX.

The same tables feed the organiser pages, ``studio contest results`` and the
exports, so what people argue about is the same everywhere. Returns text/bytes;
the edges write files.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.contest import Contest, Round, Submission
from episodes.judging import Assignment, round_marks
from episodes.scoring import MIN_ENTRIES_PER_JUDGE, Ranked, fewest_entries_per_judge, rank
from subtitles.spreadsheet import spreadsheet_safe


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple]


@dataclass(frozen=True)
class Standing:
    """One ranked submission with who made it (organisers only)."""
    ranked: Ranked
    submission: Submission


def standings(session: Session, contest: Contest, round_: Round) -> list[Standing]:
    ranking = rank(*round_marks(session, contest, round_))
    return [Standing(r, session.get(Submission, r.submission)) for r in ranking]


def raw_only(session: Session, contest: Contest, round_: Round) -> int | None:
    """When the round is ranked by raw score because a judge scored too few entries
    (``scoring.MIN_ENTRIES_PER_JUDGE``): how many that judge scored; else None."""
    marks, _criteria = round_marks(session, contest, round_)
    fewest = fewest_entries_per_judge(marks)
    return fewest if marks and fewest < MIN_ENTRIES_PER_JUDGE else None


def ranking_table(session: Session, contest: Contest, round_: Round) -> Table:
    rows = [(s.ranked.rank, s.submission.code, s.submission.title, s.submission.entrant_name,
             s.submission.entrant_org, "" if s.ranked.normalised is None else s.ranked.normalised,
             s.ranked.raw, s.ranked.judges,
             "yes" if s.ranked.tied else "")
            for s in standings(session, contest, round_)]
    return Table(f"{round_.name} ranking", ("rank", "code", "title", "entrant", "organisation",
                                            "normalised", "raw_mean", "judges", "tied"), rows)


def scores_table(session: Session, contest: Contest, round_: Round) -> Table:
    """Every review of the round (drafts too, marked), one column per criterion."""
    reviews = session.scalars(select(Assignment).where(Assignment.round_id == round_.id)
                              .order_by(Assignment.submission_id, Assignment.judge_id))
    rows = []
    for review in reviews:
        values = {s.criterion_id: s.value for s in review.scores}
        rows.append((review.submission.code, review.judge.username, review.status,
                     *(values.get(c.id, "") for c in contest.criteria), review.comment,
                     review.submitted_at.isoformat() if review.submitted_at else ""))
    headers = ("code", "judge", "status", *(f"{c.name} ({c.weight}%)" for c in contest.criteria),
               "comment", "submitted_at")
    return Table(f"{round_.name} scores", headers, rows)


def to_csv(table: Table) -> str:
    """CSV with a BOM so Excel on a Chinese Windows PC opens it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows(map(_safe_row, table.rows))
    return "\ufeff" + out.getvalue()


def to_xlsx(tables: list[Table]) -> bytes:
    """One worksheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        # Excel forbids : \ / ? * [ ] in sheet names and allows 31 characters.
        sheet = workbook.create_sheet(re.sub(r"[:\\/?*\[\]]", "_", table.title)[:31])
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append(_safe_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _safe_row(row: tuple) -> tuple:
    return tuple(map(spreadsheet_safe, row))
