"""Scheduled publishing with APScheduler 3 and a job store in the catalog database.

Exactly one scheduler runs per instance folder: :func:`start` takes an exclusive
file lock (``scheduler.lock``) and returns ``None`` in every other worker process.
Jobs live in the ``apscheduler_jobs`` table, so a publish that fell due while the
site was down runs once when a scheduler comes back (coalesced, within
``MISFIRE_GRACE``); :func:`episodes.publishing.publish_due` is a conditional update,
so a job firing twice still publishes once.

Example::

    running = start(engine, instance / "scheduler.lock")   # in `studio serve`
    add_publish_job(engine, episode.id, episode.publish_at)  # from `studio publish --at`
"""
from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select

from episodes.db import make_sessionmaker, transaction
from episodes.models import Episode, utcnow
from episodes.publishing import publish_due

log = logging.getLogger(__name__)

JOB_PREFIX = "publish:"
MISFIRE_GRACE = 7 * 24 * 3600  # a week down is an outage someone must look at
SWEEP_SECONDS = 30
_JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": MISFIRE_GRACE, "max_instances": 1}

# APScheduler 3 stores a textual reference to the job function, not its arguments'
# objects, so the job reaches the catalog through the engine the running scheduler
# was started with.
_jobs_engine: Engine | None = None


@dataclass
class RunningScheduler:
    scheduler: BackgroundScheduler
    lock: IO[str]

    def shutdown(self) -> None:
        self.scheduler.shutdown()
        self.lock.close()  # closing the file releases the lock


def run_publish(episode_id: int) -> None:
    """The job body: publish ``episode_id`` if it is still scheduled and due."""
    with transaction(make_sessionmaker(_jobs_engine)) as session:
        if publish_due(session, episode_id, utcnow()):
            log.info("published episode #%d", episode_id)


def sweep() -> None:
    """Publish anything overdue, and wake the scheduler so it sees jobs added
    by other processes (APScheduler 3 otherwise sleeps until its next known job)."""
    with transaction(make_sessionmaker(_jobs_engine)) as session:
        due = session.scalars(select(Episode.id).where(Episode.status == "scheduled",
                                                       Episode.publish_at <= utcnow())).all()
        for episode_id in due:
            if publish_due(session, episode_id, utcnow()):
                log.info("published overdue episode #%d", episode_id)


def start(engine: Engine, lock_path: Path | str, timezone: str = "Asia/Shanghai",
          sweep_seconds: float = SWEEP_SECONDS) -> RunningScheduler | None:
    """Start the instance's scheduler, or return None if another process runs it."""
    global _jobs_engine
    lock = _take_lock(Path(lock_path))
    if lock is None:
        return None
    _jobs_engine = engine
    scheduler = _scheduler(engine, timezone)
    scheduler.add_jobstore(MemoryJobStore(), "memory")
    scheduler.add_job(sweep, "interval", seconds=sweep_seconds, id="sweep", jobstore="memory",
                      next_run_time=utcnow())
    scheduler.start()
    return RunningScheduler(scheduler, lock)


def _take_lock(path: Path) -> IO[str] | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _scheduler(engine: Engine, timezone: str) -> BackgroundScheduler:
    return BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)},
                               job_defaults=_JOB_DEFAULTS, timezone=timezone)


@contextmanager
def _job_store(engine: Engine) -> Iterator[BackgroundScheduler]:
    """A paused scheduler: edits the persistent job store without running jobs."""
    scheduler = _scheduler(engine, "UTC")
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def add_publish_job(engine: Engine, episode_id: int, at: datetime) -> None:
    with _job_store(engine) as scheduler:
        scheduler.add_job(run_publish, "date", run_date=at, args=[episode_id],
                          id=f"{JOB_PREFIX}{episode_id}", replace_existing=True)


def remove_publish_job(engine: Engine, episode_id: int) -> bool:
    with _job_store(engine) as scheduler:
        try:
            scheduler.remove_job(f"{JOB_PREFIX}{episode_id}")
        except JobLookupError:
            return False
    return True


def queued_publish_jobs(engine: Engine) -> dict[int, datetime]:
    """Episode id → next run time (UTC) of every publish job in the store."""
    with _job_store(engine) as scheduler:
        return {int(job.id.removeprefix(JOB_PREFIX)): job.next_run_time
                for job in scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)}
