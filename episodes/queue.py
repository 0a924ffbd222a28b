"""The job queue: Huey carries job ids from whoever enqueues to ``studio worker``.

One Huey task, ``run_job(job_id)``, runs every kind of job: it claims the job's
catalog row (:mod:`episodes.jobs`), calls the handler registered for its kind,
renews the lease while the handler works, and records the outcome. The site
builds a :class:`JobQueue` without handlers and only enqueues by job name; the
worker registers the handlers (``studio.tasks``), so the web process never
imports the code, or loads the model, that does the work.

Storage: SQLite in the instance folder by default (no server to run); a
``redis://`` URL (setting ``queue_url``) selects Redis, same code, for workers on
other machines. Retries are Huey's, with exponential backoff; a handler raising
:class:`episodes.jobs.PermanentFailure` fails its job at once (retrying cannot help).
A worker without a handler for a job's kind (older code, mid-upgrade) leaves the job
queued for one that has it, and says so in its log.

>>> queue = JobQueue.create(engine, "instance", retries=3, retry_delay=10)  # doctest: +SKIP
>>> queue.enqueue(engine, "contest.precheck", 42)  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask
from redis.exceptions import RedisError
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from episodes import jobs
from episodes.errors import CatalogError

log = logging.getLogger(__name__)

QUEUE_FILE = "queue.sqlite3"  # in the instance folder, beside the catalog
# What sending raises when the queue's storage is down or locked.
QUEUE_DOWN = (sqlite3.Error, RedisError, OSError)
Handler = Callable[[jobs.Claim, jobs.JobProgress], None]
# A job of a kind this worker does not know comes round again this much later, to
# whichever worker takes it then: a newer one beside this one gets it within seconds.
HAND_BACK_SECONDS = 2


def code_version() -> str:
    """The installed wuling-studio version, which a worker names in its log."""
    return version("wuling-studio")


def make_huey(instance_path: Path | str, url: str = "") -> Huey:
    """SQLite in the instance folder, or Redis when ``url`` is ``redis://…``."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("wuling", url=url, results=False)
    if url:
        raise CatalogError("queue_url must be empty (SQLite in the instance folder) or a "
                           "redis:// URL", url)
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("wuling", filename=str(folder / QUEUE_FILE), results=False)


class JobQueue:
    """The Huey instance, the catalog engine and (in a worker) the job handlers."""

    def __init__(self, huey: Huey, engine: Engine, retries: int, retry_delay: float,
                 lease_seconds: float = 60.0):
        """A job not renewed for ``lease_seconds`` counts as abandoned; a running job
        renews its lease every third of that."""
        self.huey, self.engine, self.lease_seconds = huey, engine, lease_seconds
        self.handlers: dict[str, Handler] = {}
        self.handed_back: set[int] = set()  # jobs of kinds unknown here, logged once each
        self.run_job = huey.task(retries=retries, retry_delay=retry_delay, retry_backoff=2,
                                 context=True, name="run_job")(self._run)
        huey.periodic_task(crontab(minute="*"), name="requeue_expired")(lambda: self.requeue_expired())

    @classmethod
    def create(cls, engine: Engine, instance_path: Path | str, url: str = "", *,
               retries: int, retry_delay: float, lease_seconds: float = 60.0) -> "JobQueue":
        return cls(make_huey(instance_path, url), engine, retries, retry_delay, lease_seconds)

    def register(self, kind: str, handler: Handler) -> None:
        """Run ``handler`` for jobs named ``kind`` (in the worker that registered it)."""
        self.handlers[kind] = handler

    def enqueue(self, bind: Session | Engine, kind: str, target: object = "",
                key: str | None = None, **params) -> jobs.Job:
        """Record the job (see :func:`episodes.jobs.enqueue`) and send it to a worker
        once that is committed; with a session, on the caller's commit."""
        job = jobs.enqueue(bind, kind, target, key, **params)
        if job.state == "queued":  # running or done: nothing to send
            if isinstance(bind, Engine):
                self.send(job.id)
            else:
                self._send_on_commit(bind, job.id)
        return job

    def send(self, job_id: int) -> bool:
        """Put ``job_id`` on the queue; False when the queue cannot be reached (the job
        stays queued in the catalog and a worker sends it again when it starts)."""
        try:
            self.run_job(job_id)
        except QUEUE_DOWN as exc:
            log.warning("job %d waits in the catalog: the queue is unreachable (%s)", job_id, exc)
            return False
        return True

    def _send_on_commit(self, session: Session, job_id: int) -> None:
        """Send ``job_id`` when ``session`` commits; forget it if it rolls back."""
        if "jobs_to_send" not in session.info:
            session.info["jobs_to_send"] = []
            event.listen(session, "after_commit", self._send_pending)
            event.listen(session, "after_rollback", lambda s: s.info["jobs_to_send"].clear())
        session.info["jobs_to_send"].append(job_id)

    def _send_pending(self, session: Session) -> None:
        pending, session.info["jobs_to_send"] = session.info["jobs_to_send"], []
        for job_id in pending:
            self.send(job_id)

    def requeue_expired(self, at_start: bool = False) -> list[int]:
        """Send again the jobs whose worker died (lease expired), every minute; also the
        jobs never started, whose message may be lost (the queue was down when they were
        enqueued): at a worker's start, and every minute while the queue holds no message,
        so they run once the queue is back without restarting a worker. A job sent twice
        is harmless: only one claim succeeds."""
        ids = jobs.requeue_expired(self.engine)
        if at_start or not self.huey.pending_count():
            ids += jobs.never_started(self.engine)
        for job_id in ids:
            self.run_job(job_id)
        if ids:
            log.info("re-sent %d jobs: %s", len(ids), ids)
        return ids

    def _run(self, job_id: int, task=None) -> None:
        kind = jobs.waiting_kind(self.engine, job_id)
        if kind is None:
            return  # done, or taken by another worker: a second run changes nothing
        if kind not in self.handlers:
            self._hand_back(job_id, kind)
        claim = jobs.claim(self.engine, job_id, self.lease_seconds)
        if claim is None:
            return  # another worker claimed it in between, or it waits for a retry
        handler = self.handlers[claim.kind]
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(claim, stop), daemon=True,
                                   name=f"lease-{job_id}")
        renewer.start()
        try:
            handler(claim, jobs.JobProgress(self.engine, claim))
        except jobs.PermanentFailure as exc:  # retrying cannot help: no retry, no traceback
            log.warning("job %d (%s %s) failed for good: %s", job_id, claim.kind, claim.target, exc)
            jobs.fail(self.engine, claim, str(exc), staff_message=exc.staff_message)
        # The worker's boundary: whatever a handler raises is recorded on the job row
        # (the site shows it), then re-raised so Huey retries or gives up.
        except Exception as exc:
            # Huey waits task.retry_delay before the retry (then multiplies it by the backoff)
            retry_in = task.retry_delay if task is not None and task.retries else None
            jobs.fail(self.engine, claim, str(exc) or type(exc).__name__, retry_in)
            raise
        else:
            jobs.finish(self.engine, claim)
        finally:
            stop.set()
            renewer.join()

    def _hand_back(self, job_id: int, kind: str) -> None:
        """Leave a job this worker has no handler for to one that has: during an upgrade,
        a worker still on the old code meets kinds the new site enqueues. The job stays
        queued and unclaimed (no attempt spent) and comes round again through Huey's
        :class:`RetryTask` (no Huey retry spent either); a newer worker also sends it
        again when it starts. Logged once per job."""
        if job_id not in self.handed_back:
            self.handed_back.add(job_id)
            log.warning("job %d of kind %r handed back: this worker (wuling-studio %s) does not "
                        "know that kind; a worker with newer code will run it",
                        job_id, kind, code_version())
        raise RetryTask(delay=HAND_BACK_SECONDS)

    def _renew(self, claim: jobs.Claim, stop: threading.Event) -> None:
        while not stop.wait(self.lease_seconds / 3):
            if not jobs.renew(self.engine, claim, self.lease_seconds):
                log.warning("job %d: lease lost (another worker took it over)", claim.job_id)
                return
