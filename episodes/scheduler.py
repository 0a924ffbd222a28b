"""Timed publishing: APScheduler 3 date jobs rebuilt from the episode rows.

The episode row (``status='scheduled'``, ``publish_at``) is the only record of when an
episode goes out: ``studio publish --at`` and ``studio schedule cancel`` write just
that row. Whichever process holds the catalog's ``scheduler`` lease
(:mod:`episodes.leases`) keeps one in-memory APScheduler date job per scheduled
episode. A reconcile job, every few seconds, renews the lease and adds, moves or
drops date jobs to match the rows; so a publish that fell due while every scheduler
was down runs once at the next start (its date is past, so it fires at once), one
that failed (say, the database was busy) is tried again at the next reconcile, and a
leader that dies is replaced within the lease time. :func:`publish_due` is a
conditional update, so even a hand-over mid-publish publishes an episode once.

Example::

    scheduler = PublishScheduler(engine, Timing(reconcile_seconds=5, lease_seconds=30))
    scheduler.start()      # in the background process of `studio serve`
    ...
    scheduler.shutdown()   # releases the lease: another process leads at once
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select

from sqlalchemy.orm import Session

from episodes.db import make_sessionmaker, transaction
from episodes.errors import CatalogError
from episodes.leases import holder_id, release, renew, take
from episodes.models import Episode, as_utc, utcnow
from episodes.publishing import publish_due, unschedule
from episodes.review import require_approved

log = logging.getLogger(__name__)

LEASE = "scheduler"
JOB_PREFIX = "publish:"


@dataclass(frozen=True)
class Timing:
    """How often the leader reconciles and renews, and how long a silent leader
    keeps the lease (the longest a dead leader can delay a publish)."""

    reconcile_seconds: float = 5
    lease_seconds: float = 30


def scheduled_times(engine: Engine) -> dict[int, datetime]:
    """Episode id → publish time (UTC) of every scheduled episode."""
    with make_sessionmaker(engine)() as session:
        rows = session.execute(select(Episode.id, Episode.publish_at)
                               .where(Episode.status == "scheduled")).all()
    return {episode_id: as_utc(at) for episode_id, at in rows if at is not None}


class PublishScheduler:
    """One candidate scheduler; it only publishes while it holds the lease."""

    def __init__(self, engine: Engine, timing: Timing = Timing(), holder: str | None = None,
                 review_required: bool = True):
        """``review_required``: the approval gate (setting review_required) for due publishes."""
        self.engine, self.timing, self.review_required = engine, timing, review_required
        self.holder = holder or holder_id()
        self.leading = False
        # misfire_grace_time=None: a publish missed while down still runs, however late
        self._scheduler = BackgroundScheduler(timezone="UTC", job_defaults={
            "coalesce": True, "misfire_grace_time": None, "max_instances": 1})
        # APScheduler's shutdown holds its job-store lock while it waits for running jobs,
        # so a reconcile reading or changing the date jobs then would wait for ever: the
        # date jobs are touched under this lock, and never once shutdown has begun
        self._jobs_lock = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        self._scheduler.add_job(self.reconcile, "interval", id="reconcile",
                                seconds=self.timing.reconcile_seconds, next_run_time=utcnow())
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop (waiting for a publish in progress) and hand the lease back; a second
        call does nothing."""
        with self._jobs_lock:
            self._stopping = True
        if self._scheduler.running:
            self._scheduler.shutdown()
        if self.leading:
            release(self.engine, LEASE, self.holder)
            self.leading = False

    def reconcile(self) -> None:
        """Take or renew the lease; while leading, match the date jobs to the rows."""
        ttl = timedelta(seconds=self.timing.lease_seconds)
        leading = (renew if self.leading else take)(self.engine, LEASE, self.holder, ttl)
        if leading != self.leading:
            log.info("%s the publish scheduler lease (%s)", "took" if leading else "lost",
                     self.holder)
        self.leading = leading
        self._match_jobs(scheduled_times(self.engine) if leading else {})

    def queued(self) -> dict[int, datetime]:
        """Episode id → run time of the date jobs this scheduler holds now."""
        return {int(job.id.removeprefix(JOB_PREFIX)): job.trigger.run_date
                for job in self._scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)}

    def _match_jobs(self, wanted: dict[int, datetime]) -> None:
        with self._jobs_lock:
            if not self._stopping:
                self._match_jobs_now(wanted)

    def _match_jobs_now(self, wanted: dict[int, datetime]) -> None:
        have = self.queued()
        for episode_id, at in wanted.items():
            if have.pop(episode_id, None) != at:
                self._scheduler.add_job(self.publish, "date", run_date=at, args=[episode_id],
                                        id=f"{JOB_PREFIX}{episode_id}", replace_existing=True)
        for episode_id in have:  # cancelled, published elsewhere, or leadership lost
            try:
                self._scheduler.remove_job(f"{JOB_PREFIX}{episode_id}")
            except JobLookupError:  # it fired meanwhile; publish_due decides
                pass

    def publish(self, episode_id: int) -> None:
        """The date job: publish ``episode_id`` if it is still scheduled, due and approved."""
        with transaction(make_sessionmaker(self.engine)) as session:
            if self._approved(session, episode_id) and publish_due(session, episode_id, utcnow()):
                log.info("published episode #%d", episode_id)

    def _approved(self, session: Session, episode_id: int) -> bool:
        """The approval gate at the due time: an episode edited since its approval goes out
        with its last approved text (the public transcript holds it); one never approved
        goes back to draft, so it is not retried every few seconds, and the log says why."""
        episode = session.get(Episode, episode_id)
        if episode is None or episode.status != "scheduled":
            return True  # publish_due decides (and does nothing)
        try:
            # scheduled=True never makes text public itself, so it needs no plain wording
            require_approved(session, episode, gate_on=self.review_required, plain=list, scheduled=True)
        except CatalogError as exc:
            unschedule(episode)
            log.warning("not published, back to draft: %s", exc)
            return False
        return True
