"""Group commit: many small write transactions from many threads, one commit each round.

With ``synchronous=FULL`` every SQLite commit waits for the disk, and concurrent
writers queue on SQLite's write lock with sleeping retries. A single writer thread
that takes whatever is waiting, runs it in one transaction and commits once keeps
the durability (nobody's :meth:`GroupCommit.submit` returns before its work is on
disk) and multiplies throughput by the batch size.

The batch is handed to one set-based function, so a round costs a few statements,
not a few per item. Example::

    writer = GroupCommit(sessionmaker, lambda session, views: record_views(session, views, tz))
    counted = writer.submit(View(7, viewer, now))   # True once it is on disk
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MAX_BATCH = 256
IDLE_SECONDS = 5.0  # the writer thread exits when idle and restarts on demand


@dataclass
class _Job:
    item: Any
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """``apply(session, items) -> results`` (one result per item, same order) runs
    in the writer thread for every batch; it must not commit."""

    def __init__(self, factory: sessionmaker[Session], apply: Callable[[Session, list[T]], list[R]]):
        self.factory = factory
        self.apply = apply
        self._queue: deque[_Job] = deque()
        self._wake = threading.Condition()
        self._running = False

    def submit(self, item: T) -> R:
        """Apply ``item`` in the next batch; return its result once committed.

        An error while applying it is raised here, in the caller.
        """
        job = _Job(item)
        with self._wake:
            self._queue.append(job)
            if not self._running:
                self._running = True
                threading.Thread(target=self._loop, name="group-commit", daemon=True).start()
            self._wake.notify()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def _loop(self) -> None:
        while True:
            with self._wake:
                if not self._queue and not self._wake.wait_for(lambda: self._queue, IDLE_SECONDS):
                    self._running = False
                    return
                batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        try:
            with self.factory.begin() as session:
                results = self.apply(session, [job.item for job in batch])
        except Exception:  # noqa: BLE001 - one bad job: redo the batch one job at a time
            log.debug("batch of %d failed; retrying its jobs one by one", len(batch))
            for job in batch:
                self._commit_alone(job)
            return
        for job, result in zip(batch, results):
            job.result = result
            job.done.set()

    def _commit_alone(self, job: _Job) -> None:
        try:
            with self.factory.begin() as session:
                job.result = self.apply(session, [job.item])[0]
        except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, raised there
            job.error = exc
        job.done.set()
