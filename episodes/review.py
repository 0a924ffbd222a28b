"""Review and sign-off in the catalog: every revision of an episode's captions, approvals,
and the gate that keeps unapproved text off the public site.

The revisions are the same :class:`subtitles.review.ReviewLog` the work folder keeps in
``review.json``, stored a row per revision so two browsers saving at once cannot both
become revision N+1 (the unique key refuses the second, which gets a
:class:`~subtitles.review.RevisionConflict`). The public transcript, search index and
feeds read ``transcript_cues``, which :func:`approve` replaces with the approved text:
until an edited episode is approved again, the public keeps its last approved revision.

Review states shown to staff: 草稿 (draft: nobody asked for review), 待审 (in_review),
已审核 (approved); scheduling and publishing are the episode's own status.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
                        delete, select)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from episodes.db import Base
from episodes.errors import CatalogError
from episodes.models import Episode, TranscriptCue, utcnow
from subtitles.cue import Cue
from subtitles.review import Approval, PrivateSpan, ReviewLog, Revision, RevisionConflict
from subtitles.transcript import Word
from subtitles.uncertain import unsure_words

#: The plain wording of an episode's cue texts, in order, as one track (so an official
#: name is explained at its first mention only): ``glossary.rewrite.rewrite_texts``
#: with the term base the caller configured.
PlainWording = Callable[[Sequence[str]], Sequence[str]]

REVIEW_STATES = {"draft": "草稿", "in_review": "待审", "approved": "已审核"}


class TranscriptRevision(Base):
    __tablename__ = "transcript_revisions"
    __table_args__ = (UniqueConstraint("episode_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cues: Mapped[list] = mapped_column(JSON)
    private: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    plain_choices: Mapped[list] = mapped_column(JSON, default=list)


class TranscriptApproval(Base):
    __tablename__ = "transcript_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    approved_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    unreviewed: Mapped[bool] = mapped_column(Boolean, default=False)


class UncertainWord(Base):
    """A word of the machine transcript heard with a low probability, marked for review
    (see :mod:`subtitles.uncertain`)."""

    __tablename__ = "uncertain_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(100))
    probability: Mapped[float] = mapped_column(Float)


class EpisodeReview(Base):
    """The review state of one episode (草稿/待审/已审核), who moved it there and when."""

    __tablename__ = "episode_reviews"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"),
                                            primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def review_log(session: Session, episode_id: int) -> ReviewLog:
    revisions = session.scalars(select(TranscriptRevision).where(TranscriptRevision.episode_id == episode_id)
                                .order_by(TranscriptRevision.number))
    approvals = session.scalars(select(TranscriptApproval).where(TranscriptApproval.episode_id == episode_id)
                                .order_by(TranscriptApproval.id))
    return ReviewLog(tuple(_revision(row) for row in revisions),
                     tuple(Approval(a.revision, a.approved_by, _iso(a.approved_at), a.unreviewed)
                           for a in approvals))


def review_state(session: Session, episode_id: int) -> EpisodeReview:
    row = session.get(EpisodeReview, episode_id)
    if row is None:
        row = EpisodeReview(episode_id=episode_id, state="draft")
        session.add(row)
    return row


def save_revision(session: Session, episode: Episode, base: int, cues: Sequence[Cue], author: str,
                  source: str = "browser", private: Sequence[PrivateSpan] | None = None,
                  now: datetime | None = None,
                  plain_choices: Sequence[tuple[str, str]] | None = None) -> Revision:
    """Save ``cues`` as the revision after ``base``; an approved episode goes back to 待审.

    Raises :class:`RevisionConflict` when someone saved after ``base`` (also when two
    saves race: the catalog's unique key lets only one be revision ``base + 1``).
    """
    now = now or utcnow()
    log = review_log(session, episode.id)
    new_log = log.commit(base, cues, author, source, _iso(now), private, path=episode.slug,
                         plain_choices=plain_choices)
    if new_log is log:
        return log.current
    revision = new_log.current
    try:
        with session.begin_nested():
            session.add(_row(episode.id, revision, now))
    except IntegrityError as exc:
        raise RevisionConflict(f"revision {revision.number} was saved by someone else a moment ago; "
                               "your changes were not saved: reload and apply them again",
                               episode.slug, mine=tuple(cues)) from exc
    _forget_heard_in(session, episode.id, revision.private)
    state = review_state(session, episode.id)
    if state.state == "approved" and source != "machine":
        _move(state, "in_review", author, now)
    return revision


def import_log(session: Session, episode: Episode, incoming: ReviewLog, origin: str,
               now: datetime | None = None) -> int:
    """Bring revisions made elsewhere (a work folder's ``review.json``) into the catalog.

    The logs must share their history: revisions the catalog lacks are appended. When
    both sides changed since their last common revision, nothing is imported and the
    error names both, so neither edit is lost. Returns how many revisions were added.
    """
    mine = review_log(session, episode.id)
    common = 0
    for ours, theirs in zip(mine.revisions, incoming.revisions):
        if (ours.cues, ours.private, ours.plain_choices, ours.source) != \
                (theirs.cues, theirs.private, theirs.plain_choices, theirs.source):
            break
        common += 1
    extra_mine, extra_theirs = mine.revisions[common:], incoming.revisions[common:]
    if extra_mine and extra_theirs:
        raise RevisionConflict(
            f"{origin} has revisions {_span(extra_theirs)} and the catalog has revisions "
            f"{_span(extra_mine)} ({extra_mine[-1].author}, {extra_mine[-1].created_at}) made after "
            f"common revision {common}: keep one — open the workspace, or save the file's text "
            "there as a new revision", episode.slug)
    base = common
    for revision in extra_theirs:
        save_revision(session, episode, base, revision.cues, revision.author, revision.source,
                      revision.private, now, plain_choices=revision.plain_choices)
        base += 1
    return len(extra_theirs)


def submit(session: Session, episode: Episode, by: str, now: datetime | None = None) -> None:
    """Ask for review (草稿 → 待审)."""
    if review_log(session, episode.id).current is None:
        raise CatalogError("has no transcript to review yet", episode.slug)
    _move(review_state(session, episode.id), "in_review", by, now or utcnow())


def approve(session: Session, episode: Episode, by: str, plain: PlainWording,
            revision: int | None = None, unreviewed: bool = False,
            now: datetime | None = None) -> Approval:
    """Approve the current revision (审核通过) and make it the public transcript.

    ``revision`` is the number the approver saw: approving text that changed since is
    refused. ``plain`` gives the cues' plain-language wording (the
    glossary the caller configured). ``unreviewed`` records a publish without review
    (``--unreviewed``): it makes the text public but is not an approval.
    """
    now = now or utcnow()
    log = review_log(session, episode.id)
    current = log.current
    if current is None:
        raise CatalogError("has no transcript to approve", episode.slug)
    if revision is not None and revision != current.number:
        raise RevisionConflict(f"revision {current.number} was saved by {current.author} after you "
                               f"opened revision {revision}: review it before approving", episode.slug,
                               theirs=current)
    session.add(TranscriptApproval(episode_id=episode.id, revision=current.number, approved_by=by,
                                   approved_at=now, unreviewed=unreviewed))
    if not unreviewed:
        _move(review_state(session, episode.id), "approved", by, now)
    show(episode, current, plain)
    return Approval(current.number, by, _iso(now), unreviewed)


class NotApproved(CatalogError):
    """The approval gate refused a publish (callers with more context give better advice)."""


def require_approved(session: Session, episode: Episode, *, gate_on: bool, plain: PlainWording,
                     unreviewed_by: str | None = None, scheduled: bool = False) -> None:
    """The approval gate of every publish (CLI, web, scheduled).

    Passes when the gate is off, when the current text is approved, or when
    ``unreviewed_by`` names who publishes without review (recorded as such). A
    scheduled publish of an episode edited since its approval goes out with the last
    approved text, which is what the public transcript still holds.
    """
    log = review_log(session, episode.id)
    if not gate_on or log.current is None or log.is_approved:
        return
    if unreviewed_by:
        approve(session, episode, unreviewed_by, plain, unreviewed=True)
        return
    if scheduled and log.approved is not None:
        return
    raise NotApproved(f"revision {log.current.number} of the captions is not approved (审核): "
                      "approve it in the workspace, or publish with --unreviewed", episode.slug)


def show(episode: Episode, revision: Revision, plain: PlainWording) -> None:
    """Make ``revision`` the transcript of the site, search and feeds, private words out;
    the plain wording staff chose for a cue wins over the glossary's."""
    chosen = dict(revision.plain_choices)
    texts = [c.text for c in revision.cues]
    episode.cues = [TranscriptCue(position=i, start_ms=c.start_ms, end_ms=c.end_ms, text=c.text,
                                  plain_text=chosen.get(c.text) or wording)
                    for i, (c, wording) in enumerate(zip(revision.cues, plain(texts)))]


def store_uncertain_words(session: Session, episode: Episode, words: Sequence[Word]) -> int:
    """Keep the machine transcript's unsure words for the workspace to mark (replacing
    any kept before, as a new machine transcript replaces the old); returns how many."""
    session.execute(delete(UncertainWord).where(UncertainWord.episode_id == episode.id))
    unsure = unsure_words(words)
    session.add_all(UncertainWord(episode_id=episode.id, start_ms=w.start_ms, end_ms=w.end_ms,
                                  text=w.text.strip()[:100], probability=w.probability) for w in unsure)
    return len(unsure)


def _forget_heard_in(session: Session, episode_id: int, spans: Sequence[PrivateSpan]) -> None:
    """Unsure words heard inside a private span leave the catalog with the span's words."""
    for span in spans:
        session.execute(delete(UncertainWord).where(
            UncertainWord.episode_id == episode_id, UncertainWord.start_ms < span.end_ms,
            UncertainWord.end_ms > span.start_ms))


def uncertain_words(session: Session, episode_id: int) -> list[Word]:
    rows = session.scalars(select(UncertainWord).where(UncertainWord.episode_id == episode_id)
                           .order_by(UncertainWord.start_ms, UncertainWord.id))
    return [Word(row.start_ms, row.end_ms, row.text, row.probability) for row in rows]


def _move(state: EpisodeReview, to: str, by: str, now: datetime) -> None:
    state.state, state.changed_by, state.changed_at = to, by, now


def _row(episode_id: int, revision: Revision, now: datetime) -> TranscriptRevision:
    return TranscriptRevision(
        episode_id=episode_id, number=revision.number, author=revision.author, source=revision.source,
        created_at=now, note=revision.note, plain_choices=[list(pair) for pair in revision.plain_choices],
        cues=[{"start_ms": c.start_ms, "end_ms": c.end_ms, "lines": list(c.lines)} for c in revision.cues],
        private=[{"start_ms": p.start_ms, "end_ms": p.end_ms, "note": p.note} for p in revision.private])


def _revision(row: TranscriptRevision) -> Revision:
    return Revision(row.number, row.author, _iso(row.created_at), row.source,
                    tuple(Cue(c["start_ms"], c["end_ms"], tuple(c["lines"])) for c in row.cues),
                    tuple(PrivateSpan(p["start_ms"], p["end_ms"], p.get("note", "")) for p in row.private or ()),
                    row.note, tuple((a, b) for a, b in row.plain_choices or ()))


def _iso(moment: datetime) -> str:
    from episodes.models import as_utc

    return as_utc(moment).isoformat(timespec="seconds")


def _span(revisions: Sequence[Revision]) -> str:
    first, last = revisions[0].number, revisions[-1].number
    return str(first) if first == last else f"{first}-{last}"


__all__ = ["REVIEW_STATES", "TranscriptRevision", "TranscriptApproval", "EpisodeReview", "review_log",
           "review_state", "save_revision", "import_log", "submit", "approve", "NotApproved", "require_approved", "show",
           "UncertainWord", "store_uncertain_words", "uncertain_words"]
