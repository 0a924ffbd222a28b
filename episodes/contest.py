"""The guide-video contest: contests, rounds, a weighted rubric, judges, submissions.

A submission enters round 1 when it is accepted and a later round when it advances
(``RoundEntry``). Entrant details live on the submission and are never shown to
judges, who only ever see ``Submission.code``. Reviews, scores and the audit log are
in :mod:`episodes.judging`.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (JSON, BigInteger, DateTime, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint, select)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from episodes.db import Base
from episodes.errors import CatalogError, NotFound
from episodes.models import User, as_utc, utcnow
from episodes.typed import halfwidth, name_and_department
from episodes.vocabulary import DEFAULT_ROUNDS


class Level(NamedTuple):
    """What the scores ``low``..``high`` (inclusive) of a criterion mean."""
    low: int
    high: int
    text: str


class RubricItem(NamedTuple):
    name: str
    weight: int
    levels: tuple[Level, ...] = ()


def _levels(*rows: tuple[int, int, str]) -> tuple[Level, ...]:
    return tuple(Level(*row) for row in rows)


# The four criteria, each with what its score levels mean, so judges who
# never met score alike (0–10 per criterion).
DEFAULT_RUBRIC = (
    RubricItem("政策准确", 30, _levels((0, 3, "有明显错误或过时的政策说法"), (4, 7, "基本准确，个别表述不严谨"),
                                   (8, 10, "准确、完整，依据清楚"))),
    RubricItem("通俗易懂", 30, _levels((0, 3, "术语多，群众难以听懂"), (4, 7, "大体能懂，部分术语未解释"),
                                   (8, 10, "说法通俗，术语都有解释"))),
    RubricItem("创意与制作", 25, _levels((0, 3, "画面或声音粗糙，影响观看"), (4, 7, "制作完整，形式平常"),
                                    (8, 10, "形式新颖，制作精良"))),
    RubricItem("字幕与无障碍", 15, _levels((0, 3, "没有字幕或字幕错漏多"), (4, 7, "有字幕，少量错漏"),
                                     (8, 10, "字幕准确同步，便于听障人士和老年人观看"))),
)


class Contest(Base):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    max_duration_ms: Mapped[int] = mapped_column(Integer, default=180_000)
    min_height: Mapped[int] = mapped_column(Integer, default=720)
    max_bytes: Mapped[int] = mapped_column(BigInteger, default=500 * 1024 * 1024)
    # Entries (uploads, withdrawals, replacements) are taken while open and before the
    # deadline (None: no deadline); the organiser opens and closes the contest.
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_open: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    rounds: Mapped[list["Round"]] = relationship(order_by="Round.position", back_populates="contest",
                                                 cascade="all, delete-orphan")
    criteria: Mapped[list["Criterion"]] = relationship(order_by="Criterion.position",
                                                       cascade="all, delete-orphan")


class Round(Base):
    __tablename__ = "contest_rounds"
    __table_args__ = (UniqueConstraint("contest_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    judges_per_submission: Mapped[int] = mapped_column(Integer, default=3)

    contest: Mapped[Contest] = relationship(back_populates="rounds")


class Criterion(Base):
    __tablename__ = "contest_criteria"
    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    weight: Mapped[int] = mapped_column(Integer)
    min_score: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[int] = mapped_column(Integer, default=10)
    levels: Mapped[list | None] = mapped_column(JSON)  # [[low, high, text], ...], see Level

    @property
    def level_descriptors(self) -> list[Level]:
        return [Level(*row) for row in self.levels or ()]


class ContestJudge(Base):
    __tablename__ = "contest_judges"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship()


class Submission(Base):
    """An uploaded video. ``stored_name`` is generated; the entrant's file name is kept
    only as text. ``code`` is the blind label judges see. An upload from the site waits
    ``checking`` until the intake job accepts it (measured, tags stripped, entered in
    round 1) or rejects it (``rejection`` holds the rule broken, its file is gone)."""

    __tablename__ = "contest_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    entrant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entrant_name: Mapped[str] = mapped_column(String(100))
    entrant_org: Mapped[str] = mapped_column(String(200), default="")
    entrant_contact: Mapped[str] = mapped_column(String(200), default="")
    original_name: Mapped[str] = mapped_column(String(300), default="")
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    container: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    intake: Mapped[str] = mapped_column(String(20), default="accepted", server_default="accepted")
    rejection: Mapped[dict | None] = mapped_column(JSON)  # {"reason": key, **detail}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoundEntry(Base):
    """A submission competing in a round (round 1 on intake, later ones by advancing)."""

    __tablename__ = "contest_round_entries"
    __table_args__ = (UniqueConstraint("round_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_rounds.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("contest_submissions.id",
                                                          ondelete="CASCADE"))


class Conflict(Base):
    """A declared conflict of interest: this judge never reviews this submission."""

    __tablename__ = "contest_conflicts"
    __table_args__ = (UniqueConstraint("judge_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("contest_submissions.id",
                                                          ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200), default="")


class PrecheckReport(Base):
    """The automatic pre-check of one submission; ``status`` pending/running/done/failed."""

    __tablename__ = "contest_prechecks"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("contest_submissions.id",
                                                          ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    has_caption_stream: Mapped[bool | None] = mapped_column()
    speech_chars: Mapped[int | None] = mapped_column(Integer)
    jargon_density: Mapped[float | None] = mapped_column(Float)
    plain_score: Mapped[float | None] = mapped_column(Float)
    violations: Mapped[list] = mapped_column(JSON, default=list)
    # Caption tracks of the video extracted as WebVTT (episodes.uploads.caption_name) and
    # the recognised speech as [[start_ms, end_ms, text], ...] (also a WebVTT file).
    caption_tracks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transcript: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)


CRITERION_LINE = re.compile(r"(?P<name>\S.*?)\s*(?:=|\s)\s*(?P<weight>\d+)")
LEVEL_RANGE = re.compile(r"(?P<low>\d+)(?:\s*[-~–—]\s*(?P<high>\d+))?")


def parse_criterion(text: str) -> RubricItem | None:
    """One rubric line, ``政策准确=30`` or ``政策准确 30``, optionally followed by ``|`` and
    its level descriptors (see :func:`parse_levels`); None if it is neither.

    >>> parse_criterion("通俗易懂 30")
    RubricItem(name='通俗易懂', weight=30, levels=())
    >>> parse_criterion("通俗易懂=30｜0-5：难懂；6-10：易懂").levels[1]
    Level(low=6, high=10, text='易懂')
    """
    head, bar, tail = text.replace("｜", "|").partition("|")
    match = CRITERION_LINE.fullmatch(head.strip())
    if match is None:
        return None
    levels = parse_levels(tail) if bar else ()
    return None if levels is None else RubricItem(match["name"], int(match["weight"]), levels)


def parse_levels(text: str) -> tuple[Level, ...] | None:
    """Level descriptors as organisers type them: ``0-3：有明显错误；4-7：基本准确``
    (ranges or single scores, a half- or full-width colon, ``;`` or ``；`` between
    levels); None when a part is not ``RANGE:TEXT``. Bounds are checked with the rubric.
    """
    levels = []
    for part in filter(None, (p.strip() for p in re.split(r"[;；]", text))):
        pair = name_and_department(part)
        found = LEVEL_RANGE.fullmatch(halfwidth(pair[0])) if pair else None
        if found is None or not pair[1]:
            return None
        low = int(found["low"])
        levels.append(Level(low, int(found["high"] or low), pair[1]))
    return tuple(levels)


ROUND_SEPARATORS = re.compile(r"[、,，;；\n]+")


def parse_rounds(text: str) -> tuple[str, ...]:
    """Round names as organisers type them, separated by 、 or a comma (half- or
    full-width), a semicolon or a new line; the CLI and the site's form both read here.

    >>> parse_rounds("初评、复评，终评")
    ('初评', '复评', '终评')
    """
    return tuple(name.strip() for name in ROUND_SEPARATORS.split(text) if name.strip())


def create_contest(session: Session, slug: str, title: str, *, max_duration_ms: int = 180_000,
                   min_height: int = 720, max_bytes: int = 500 * 1024 * 1024,
                   rounds: tuple[str, ...] = DEFAULT_ROUNDS,
                   rubric: tuple[RubricItem, ...] = DEFAULT_RUBRIC,
                   deadline: datetime | None = None) -> Contest:
    """A contest with its rounds and rubric; weights must sum to 100.

    >>> create_contest(session, "guide-2026", "政务服务导办小视频创作大赛")  # doctest: +SKIP
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise CatalogError("slug must be lowercase letters, digits and hyphens", slug)
    if session.scalar(select(Contest).where(Contest.slug == slug)) is not None:
        raise CatalogError("a contest with this slug already exists", slug)
    contest = Contest(slug=slug, title=title, max_duration_ms=max_duration_ms,
                      min_height=min_height, max_bytes=max_bytes, deadline=deadline, is_open=True)
    contest.rounds = [Round(position=i, name=name, judges_per_submission=3)
                      for i, name in enumerate(rounds, 1)]
    contest.criteria = [Criterion(position=i, name=item.name, weight=item.weight, min_score=0,
                                  max_score=10, levels=[list(level) for level in item.levels] or None)
                        for i, item in enumerate(map(lambda row: RubricItem(*row), rubric), 1)]
    check_rubric(contest)
    session.add(contest)
    session.flush()
    return contest


def check_rubric(contest: Contest) -> None:
    """Weights sum to 100 and every criterion has sensible bounds, or CatalogError."""
    total = sum(c.weight for c in contest.criteria)
    if not contest.rounds:
        raise CatalogError("a contest needs at least one round", contest.slug)
    names = [c.name for c in contest.criteria]
    if len(set(names)) != len(names):
        raise CatalogError("two criteria have the same name", contest.slug)
    if total != 100:
        raise CatalogError(f"criterion weights sum to {total}, not 100", contest.slug)
    for criterion in contest.criteria:
        if criterion.weight <= 0 or criterion.min_score >= criterion.max_score:
            raise CatalogError(f"criterion {criterion.name!r} needs a positive weight and "
                               "min score below max score", contest.slug)
        check_levels(criterion, contest.slug)


def check_levels(criterion: Criterion, where: str) -> None:
    """Level descriptors, when given, cover every score of the criterion once, in order,
    so each score a judge can give has exactly one meaning."""
    levels = criterion.level_descriptors
    if not levels:
        return
    expected = criterion.min_score
    for level in levels:
        if level.low != expected or level.high < level.low:
            raise CatalogError(f"the levels of {criterion.name!r} must run from {criterion.min_score} "
                               f"to {criterion.max_score} without gaps or overlaps "
                               f"(expected a level starting at {expected}, got {level.low}-{level.high})",
                               where)
        expected = level.high + 1
    if expected != criterion.max_score + 1:
        raise CatalogError(f"the levels of {criterion.name!r} stop at {expected - 1}; they must "
                           f"reach {criterion.max_score}", where)


def get_contest(session: Session, slug: str) -> Contest:
    contest = session.scalar(select(Contest).where(Contest.slug == slug))
    if contest is None:
        raise NotFound("no such contest", slug)
    return contest


def get_round(contest: Contest, position: int) -> Round:
    found = next((r for r in contest.rounds if r.position == position), None)
    if found is None:
        raise NotFound(f"contest has no round {position}", contest.slug)
    return found


def add_judge(session: Session, contest: Contest, user: User) -> None:
    if user.role != "judge":
        raise CatalogError(f"user is a {user.role}, not a judge", user.username)
    if session.scalar(select(ContestJudge).where(ContestJudge.contest_id == contest.id,
                                                 ContestJudge.user_id == user.id)) is None:
        session.add(ContestJudge(contest_id=contest.id, user_id=user.id))
        session.flush()


def judges(session: Session, contest: Contest) -> list[User]:
    return list(session.scalars(select(User).join(ContestJudge, ContestJudge.user_id == User.id)
                                .where(ContestJudge.contest_id == contest.id)
                                .order_by(User.username)))


def add_conflict(session: Session, judge: User, submission: Submission, reason: str = "") -> None:
    """Record that ``judge`` must not review ``submission`` (declaring it twice is harmless)."""
    if session.scalar(select(Conflict).where(Conflict.judge_id == judge.id,
                                             Conflict.submission_id == submission.id)) is None:
        session.add(Conflict(judge_id=judge.id, submission_id=submission.id, reason=reason))
        session.flush()


def new_code() -> str:
    """A blind label like ``V-3F9K2Q``: random, so it reveals neither order nor entrant."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "V-" + "".join(secrets.choice(alphabet) for _ in range(6))


def add_submission(session: Session, contest: Contest, checked: bool = True, **fields) -> Submission:
    """Record a video. A ``checked`` one is admitted at once; an unchecked one (an upload
    from the site, measured later by the intake job) waits ``checking``."""
    submission = Submission(contest_id=contest.id, code=new_code(), intake="checking", **fields)
    session.add(submission)
    session.flush()
    if checked:
        admit(session, contest, submission)
    return submission


def admit(session: Session, contest: Contest, submission: Submission, **measured) -> None:
    """Accept a checked submission (with what the check measured): it enters round 1
    with a pending pre-check."""
    for name, value in measured.items():
        setattr(submission, name, value)
    submission.intake = "accepted"
    session.add(RoundEntry(round_id=contest.rounds[0].id, submission_id=submission.id))
    session.add(PrecheckReport(submission_id=submission.id))
    session.flush()


def reject(session: Session, submission: Submission, reason: str, **detail) -> None:
    """Refuse a submission the intake check failed; ``reason`` is a key the site translates."""
    submission.intake, submission.rejection = "rejected", {"reason": reason, **detail}
    session.flush()


def job_key(kind: str, submission: Submission) -> str:
    """The key of the ``contest.intake`` or ``contest.precheck`` job of the submission's
    current video: a replaced video is checked again under a key of its own."""
    return f"{kind}:{submission.id}:{submission.stored_name}"


def round_submissions(session: Session, round_: Round) -> list[Submission]:
    return list(session.scalars(select(Submission).join(
        RoundEntry, RoundEntry.submission_id == Submission.id)
        .where(RoundEntry.round_id == round_.id).order_by(Submission.id)))


def get_submission(session: Session, contest: Contest, code: str) -> Submission:
    found = session.scalar(select(Submission).where(Submission.contest_id == contest.id,
                                                    Submission.code == code))
    if found is None:
        raise NotFound("no such submission", code)
    return found


def closed_because(contest: Contest, now: datetime) -> str | None:
    """Why ``contest`` takes no entries, uploads, withdrawals or replacements at ``now``:
    ``"closed"`` (the organiser closed it), ``"deadline"`` (past it), or None (open)."""
    if not contest.is_open:
        return "closed"
    if contest.deadline is not None and as_utc(now) >= as_utc(contest.deadline):
        return "deadline"
    return None


def _check_changeable(session: Session, submission: Submission) -> None:
    """An entry whose judging has begun (a review submitted) can no longer change."""
    from episodes.judging import Assignment  # judging builds on this module

    if session.scalar(select(Assignment.id).where(Assignment.submission_id == submission.id,
                                                  Assignment.status == "submitted").limit(1)):
        raise CatalogError("judges have already scored this entry; it can no longer change",
                           submission.code)


def withdraw(session: Session, submission: Submission) -> str:
    """Remove an entry (its rounds, pre-check and unsubmitted reviews go with it); return
    its stored file name, which the caller deletes once this is committed."""
    _check_changeable(session, submission)
    stored = submission.stored_name
    session.delete(submission)
    session.flush()
    return stored


def replace_video(session: Session, submission: Submission, **stored) -> str:
    """Put a new upload (``stored_name``, ``size_bytes``, ``sha256``, ``original_name``)
    in place of an entry's video: it waits ``checking`` for the intake job again, with
    its code, title and reviews kept. Return the old stored name for the caller to delete."""
    _check_changeable(session, submission)
    old = submission.stored_name
    for table in (RoundEntry, PrecheckReport):
        for row in session.scalars(select(table).where(table.submission_id == submission.id)):
            session.delete(row)
    for name, value in stored.items():
        setattr(submission, name, value)
    submission.intake, submission.rejection = "checking", None
    session.flush()
    return old
