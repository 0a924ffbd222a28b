"""Background jobs as catalog rows: what to do, who is doing it, how far it got.

Huey (:mod:`episodes.queue`) carries a job's id to a worker; this table is the
record. Neither Huey nor Celery re-runs a job whose worker was killed mid-run, so a
running job holds a lease it renews while it works; a lease that runs out means the
worker died, and :func:`requeue_expired` puts the job back. Every state change is
one conditional ``UPDATE``, so two workers never both claim a job, and a worker
that lost its lease cannot finish a job another worker has taken over.

Jobs are named by a string (``"contest.intake"``), so the site enqueues work
without importing the code that does it. The idempotency ``key`` (by default
``KIND:TARGET``) is unique: enqueueing a key that is queued, running or done
changes nothing; a failed one starts again.

>>> job = enqueue(engine, "contest.precheck", 42)  # doctest: +SKIP
>>> progress(session, job.key).fraction  # doctest: +SKIP
0.0
"""
from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, DateTime, Engine, Float, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from episodes.db import Base
from episodes.models import utcnow

ACTIVE = ("queued", "running", "done")  # enqueueing these again changes nothing; else "failed"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(300), default="")
    key: Mapped[str] = mapped_column(String(400), unique=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A job waiting for Huey's retry is queued but not claimable before this: a stray
    # second message (jobs are sent again at worker start) must not skip the backoff.
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Claim:
    """A running job as its worker holds it; ``attempt`` fences out a worker whose
    lease expired and whose job was claimed again."""
    job_id: int
    kind: str
    target: str
    params: dict
    attempt: int
    worker: str


def worker_name() -> str:
    """``host:pid:thread``: enough to find the process a stuck job belongs to."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def enqueue(bind: Session | Engine, kind: str, target: object = "", key: str | None = None,
            **params) -> Job:
    """The job for ``key`` (default ``KIND:TARGET``), created queued if new or failed.

    With a session, the row is flushed and committed with the caller's transaction;
    with an engine, it is committed here.
    """
    if isinstance(bind, Engine):
        with Session(bind, expire_on_commit=False) as session, session.begin():
            return enqueue(session, kind, target, key, **params)
    key = key or f"{kind}:{target}"
    job = bind.scalar(select(Job).where(Job.key == key))
    if job is None:
        job = Job(kind=kind, target=str(target), key=key, params=params)
        bind.add(job)
    elif job.state not in ACTIVE:
        job.state, job.attempts, job.error, job.params, job.retry_at = "queued", 0, "", params, None
        job.progress, job.message, job.updated_at = 0.0, "", utcnow()
    bind.flush()
    return job


def _change(engine: Engine, job_id: int, where: tuple, **values) -> bool:
    """One conditional UPDATE; True when it changed the row."""
    with engine.begin() as connection:
        result = connection.execute(update(Job).where(Job.id == job_id, *where)
                                    .values(updated_at=utcnow(), **values))
        return result.rowcount == 1


def _holds(claim: Claim) -> tuple:
    return (Job.state == "running", Job.worker == claim.worker, Job.attempts == claim.attempt)


def waiting_kind(engine: Engine, job_id: int) -> str | None:
    """The kind of job ``job_id`` if it is queued (None: running, settled or gone), so a
    worker can leave a kind it has no handler for without claiming it."""
    with Session(engine) as session:
        return session.scalar(select(Job.kind).where(Job.id == job_id, Job.state == "queued"))


def claim(engine: Engine, job_id: int, lease_seconds: float, worker: str | None = None) -> Claim | None:
    """Take a queued job for ``worker`` (None if it is not queued: already taken or done)."""
    worker = worker or worker_name()
    with Session(engine) as session:
        job = session.get(Job, job_id)
        if job is None or job.state != "queued" or (job.retry_at and _aware(job.retry_at) > utcnow()):
            return None
        attempt = job.attempts + 1
        taken = _change(engine, job_id, (Job.state == "queued", Job.attempts == job.attempts),
                        state="running", attempts=attempt, worker=worker, retry_at=None,
                        lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        return Claim(job.id, job.kind, job.target, dict(job.params), attempt, worker) if taken else None


def renew(engine: Engine, claim: Claim, lease_seconds: float) -> bool:
    """Push the lease on; False when the worker no longer holds the job."""
    return _change(engine, claim.job_id, _holds(claim),
                   lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))


def finish(engine: Engine, claim: Claim) -> bool:
    return _change(engine, claim.job_id, _holds(claim), state="done", progress=1.0,
                   lease_expires_at=None)


class PermanentFailure(Exception):
    """Raised by a handler when trying again cannot help (the input must change first):
    the job fails on this attempt, without Huey's retries. ``staff_message`` (site
    text, Chinese) says what to do and is what the site shows; ``str()`` is the
    English detail for the worker's log and the job row's ``error``."""

    def __init__(self, detail: str, staff_message: str):
        super().__init__(detail)
        self.staff_message = staff_message


def fail(engine: Engine, claim: Claim, error: str, retry_in: float | None = None,
         staff_message: str = "") -> bool:
    """Record ``error``; the job waits ``queued`` for Huey's retry in ``retry_in``
    seconds, or ends ``failed`` when there is none. ``message`` becomes
    ``staff_message`` (the last progress line would be stale)."""
    retry_at = None if retry_in is None else utcnow() + timedelta(seconds=retry_in)
    return _change(engine, claim.job_id, _holds(claim), error=error[:2000], lease_expires_at=None,
                   state="failed" if retry_in is None else "queued", retry_at=retry_at,
                   message=staff_message[:300])


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the catalog stores UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def requeue_expired(engine: Engine) -> list[int]:
    """Put back to queued the running jobs whose lease ran out (their worker died);
    return their ids, to be sent to the queue again."""
    now = utcnow()
    with Session(engine) as session:
        expired = list(session.scalars(select(Job.id).where(
            Job.state == "running", Job.lease_expires_at < now)))
    return [job_id for job_id in expired
            if _change(engine, job_id, (Job.state == "running", Job.lease_expires_at < now),
                       state="queued", lease_expires_at=None, worker="")]


def never_started(engine: Engine) -> list[int]:
    """Queued jobs no worker has tried yet. Their message may have been lost (the queue
    was down when they were enqueued), so they are sent again (``JobQueue.requeue_expired``);
    a job sent twice is harmless, only one claim succeeds."""
    with Session(engine) as session:
        return list(session.scalars(select(Job.id).where(Job.state == "queued", Job.attempts == 0)
                                    .order_by(Job.id)))


@dataclass(frozen=True)
class JobStatus:
    """What the site shows about a job."""
    state: str
    fraction: float
    message: str
    error: str
    attempts: int


def progress(session: Session, key: str) -> JobStatus | None:
    """The state and progress of the job with ``key``, or None if there is none."""
    job = session.scalar(select(Job).where(Job.key == key))
    if job is None:
        return None
    return JobStatus(job.state, job.progress, job.message, job.error, job.attempts)


class JobProgress:
    """Progress a handler reports, written to its job row at most every ``interval``
    seconds (a transcription calls ``update`` hundreds of times). It also speaks the
    studio's progress protocol (``bar``/``message``), so core functions take it as is."""

    def __init__(self, engine: Engine, claim: Claim, interval: float = 1.0):
        self.engine, self.claim, self.interval = engine, claim, interval
        self.written_at = 0.0

    def set(self, fraction: float, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.written_at >= self.interval:
            self.written_at = now
            _change(self.engine, self.claim.job_id, _holds(self.claim),
                    progress=max(0.0, min(fraction, 1.0)), message=message[:300])

    def message(self, text: str) -> None:
        _change(self.engine, self.claim.job_id, _holds(self.claim), message=text[:300])

    def bar(self, total: float | None, desc: str, unit: str = "s") -> "_JobBar":
        return _JobBar(self, total or 0, desc)


class _JobBar:
    def __init__(self, progress: JobProgress, total: float, desc: str):
        self.progress, self.total, self.desc, self.done = progress, total, desc, 0.0

    def update(self, n: float) -> None:
        self.done += n
        if self.total:
            self.progress.set(self.done / self.total, self.desc)

    def close(self) -> None:
        if self.total:
            self.progress.set(min(self.done / self.total, 1.0), self.desc, force=True)
