"""Reviews: who judges what in a round, their scores, and the audit log of every change.

A review is an ``Assignment`` (one judge, one submission, one round). Scores are
saved as a draft any number of times, then submitted once; a submitted review is
final. Every save writes a ``ScoreAudit`` row in the same transaction, so the log
and the scores can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from episodes.contest import (Conflict, Contest, Round, RoundEntry, Submission, judges,
                              round_submissions)
from episodes.db import Base
from episodes.errors import CatalogError
from episodes.models import User, utcnow
from episodes.scoring import CriterionSpec, Mark, advancing, assign, rank


class Assignment(Base):
    __tablename__ = "contest_assignments"
    __table_args__ = (UniqueConstraint("round_id", "submission_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_rounds.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("contest_submissions.id",
                                                          ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="assigned")  # assigned/draft/submitted
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    round: Mapped[Round] = relationship()
    submission: Mapped[Submission] = relationship()
    judge: Mapped[User] = relationship()
    scores: Mapped[list["Score"]] = relationship(cascade="all, delete-orphan")


class Score(Base):
    __tablename__ = "contest_scores"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("contest_assignments.id",
                                                          ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("contest_criteria.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)


class ScoreAudit(Base):
    """Who saved which scores and comment, when, and whether it was a draft or final."""

    __tablename__ = "contest_score_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("contest_assignments.id",
                                                          ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # draft / submit
    values: Mapped[dict] = mapped_column(JSON)       # {criterion name: value}
    comment: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User] = relationship()


@dataclass(frozen=True)
class AuditChange:
    """One save of a review as organisers read it: the scores it changed (criterion
    name, value before or None, value after or None) and whether the comment changed."""
    entry: ScoreAudit
    scores: list[tuple[str, int | None, int | None]]
    comment_changed: bool


def audit_changes(entries: list[ScoreAudit]) -> list[AuditChange]:
    """Each audit entry (in order) with what it changed since that review's previous save."""
    previous: dict[int, ScoreAudit] = {}
    changes = []
    for entry in entries:
        before = previous.get(entry.assignment_id)
        old = before.values if before else {}
        names = dict.fromkeys([*old, *entry.values])
        changes.append(AuditChange(
            entry, [(n, old.get(n), entry.values.get(n)) for n in names if old.get(n) != entry.values.get(n)],
            (before.comment if before else "") != entry.comment))
        previous[entry.assignment_id] = entry
    return changes


@dataclass(frozen=True)
class JudgeProgress:
    judge: User
    assigned: int
    submitted: int

    @property
    def missing(self) -> int:
        return self.assigned - self.submitted


def assign_round(session: Session, contest: Contest, round_: Round) -> int:
    """Assign k judges to every submission of the round that has none yet; return how many."""
    existing = list(session.scalars(select(Assignment).where(Assignment.round_id == round_.id)))
    done = {a.submission_id for a in existing}
    todo = [s.id for s in round_submissions(session, round_) if s.id not in done]
    panel = [j.id for j in judges(session, contest)]
    conflicts = [(c.judge_id, c.submission_id) for c in session.scalars(select(Conflict))]
    load = {j: sum(1 for a in existing if a.judge_id == j) for j in panel}
    plan = assign(todo, panel, round_.judges_per_submission, conflicts, load)
    for submission_id, judge_ids in plan.items():
        session.add_all(Assignment(round_id=round_.id, submission_id=submission_id, judge_id=j)
                        for j in judge_ids)
    session.flush()
    return sum(len(v) for v in plan.values())


def judge_assignments(session: Session, judge: User) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.judge_id == judge.id)
                                .order_by(Assignment.round_id, Assignment.id)))


def find_assignment(session: Session, judge: User, round_: Round,
                    submission: Submission) -> Assignment | None:
    """The judge's review of this submission in this round, or None when not assigned."""
    return session.scalar(select(Assignment).where(
        Assignment.judge_id == judge.id, Assignment.round_id == round_.id,
        Assignment.submission_id == submission.id))


def save_review(session: Session, contest: Contest, review: Assignment,
                values: Mapping[int, int], comment: str, submit: bool) -> None:
    """Store scores (criterion id -> value) as a draft, or submit them as final."""
    if review.status == "submitted":
        raise CatalogError("this review was already submitted and can no longer change",
                           review.submission.code)
    bounds = {c.id: c for c in contest.criteria}
    for criterion_id, value in values.items():
        c = bounds.get(criterion_id)
        if c is None or not c.min_score <= value <= c.max_score:
            name = c.name if c else criterion_id
            raise CatalogError(f"score for {name} must be within its bounds", review.submission.code)
    if submit and set(values) != set(bounds):
        raise CatalogError("every criterion needs a score before submitting", review.submission.code)
    _write_scores(review, values)
    review.comment = comment
    review.status = "submitted" if submit else "draft"
    review.submitted_at = utcnow() if submit else None
    session.add(ScoreAudit(assignment_id=review.id, actor_id=review.judge_id,
                           action="submit" if submit else "draft", comment=comment,
                           values={bounds[c].name: v for c, v in values.items()}))
    session.flush()


def _write_scores(review: Assignment, values: Mapping[int, int]) -> None:
    by_criterion = {s.criterion_id: s for s in review.scores}
    for criterion_id in set(by_criterion) - set(values):
        review.scores.remove(by_criterion[criterion_id])
    for criterion_id, value in values.items():
        if criterion_id in by_criterion:
            by_criterion[criterion_id].value = value
        else:
            review.scores.append(Score(criterion_id=criterion_id, value=value))


def other_reviews(session: Session, review: Assignment) -> list[Assignment]:
    """Other judges' submitted reviews of the same work, only once this one is submitted."""
    if review.status != "submitted":
        return []
    return list(session.scalars(select(Assignment).where(
        Assignment.round_id == review.round_id, Assignment.submission_id == review.submission_id,
        Assignment.id != review.id, Assignment.status == "submitted")))


def round_marks(session: Session, contest: Contest,
                round_: Round) -> tuple[list[Mark], list[CriterionSpec]]:
    """The submitted scores of a round and the rubric, as inputs to :func:`scoring.rank`."""
    rows = session.execute(select(Assignment.judge_id, Assignment.submission_id, Score.criterion_id,
                                  Score.value).join(Score, Score.assignment_id == Assignment.id)
                           .where(Assignment.round_id == round_.id, Assignment.status == "submitted"))
    criteria = [CriterionSpec(c.id, c.weight, c.min_score, c.max_score) for c in contest.criteria]
    return [Mark(*row) for row in rows], criteria


def progress(session: Session, contest: Contest, round_: Round) -> list[JudgeProgress]:
    """Per judge of the panel: reviews assigned in the round and how many are submitted."""
    reviews = list(session.scalars(select(Assignment).where(Assignment.round_id == round_.id)))
    return [JudgeProgress(judge, sum(1 for a in reviews if a.judge_id == judge.id),
                          sum(1 for a in reviews if a.judge_id == judge.id and a.status == "submitted"))
            for judge in judges(session, contest)]


def audit_log(session: Session, round_: Round) -> list[ScoreAudit]:
    return list(session.scalars(select(ScoreAudit).join(
        Assignment, Assignment.id == ScoreAudit.assignment_id)
        .where(Assignment.round_id == round_.id).order_by(ScoreAudit.id)))


def advance(session: Session, contest: Contest, round_: Round, top: int | None = None,
            threshold: float | None = None) -> list[Submission]:
    """Enter the round's leaders in the next round; return the submissions moved on."""
    following = next((r for r in contest.rounds if r.position == round_.position + 1), None)
    if following is None:
        raise CatalogError(f"round {round_.name} is the last round; nothing to advance to",
                           contest.slug)
    chosen = advancing(rank(*round_marks(session, contest, round_)), top, threshold)
    already = {s.id for s in round_submissions(session, following)}
    for item in chosen:
        if item.submission not in already:
            session.add(RoundEntry(round_id=following.id, submission_id=item.submission))
    session.flush()
    return [session.get(Submission, item.submission) for item in chosen]
