"""Group commit: many small write transactions from many threads, one commit each round.

With ``synchronous=FULL`` every SQLite commit waits for the disk, and concurrent
writers queue on SQLite's write lock with sleeping retries. A single writer thread
that takes whatever is waiting, runs it in one transaction and commits once keeps
the durability (nobody's :meth:`GroupCommit.submit` returns before its work is on
disk) and multiplies throughput by the batch size.

The batch is handed to one set-based function, so a round costs a few statements,
not a few per item. The writer keeps one connection while it has work, so a round
costs no pool checkout (and, on PostgreSQL, no pre-ping round trip): on a client-server
database each round trip is a wait for the server and then for the GIL again. Example::

    writer = GroupCommit(engine, lambda connection, views: record_views(connection, views, tz))
    counted = writer.submit(View(7, viewer, now))   # True once it is on disk
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MAX_BATCH = 256
IDLE_SECONDS = 5.0  # the writer thread exits when idle and restarts on demand


def _held_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass
class _Job:
    """One submitted item. ``done`` is held until the writer has set ``result`` or
    ``error`` and releases it: the waiting request thread wakes straight into its
    answer. (A ``threading.Event`` costs several times more per item: its ``set`` and
    ``wait`` go through a Condition whose lock the woken thread must take again, and
    the request threads are what limits a process's beacons per second.)"""

    item: Any
    done: threading.Lock = field(default_factory=_held_lock)
    result: Any = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """``apply(connection, items) -> results`` (one result per item, same order) runs
    in the writer thread for every batch, in a transaction; it must not commit."""

    def __init__(self, engine: Engine, apply: Callable[[Connection, list[T]], list[R]]):
        self.engine = engine
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
        job.done.acquire()
        if job.error is not None:
            raise job.error
        return job.result

    def _loop(self) -> None:
        connection: Connection | None = None
        try:
            while True:
                with self._wake:
                    if not self._queue and not self._wake.wait_for(lambda: self._queue, IDLE_SECONDS):
                        self._running = False
                        return
                    batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
                connection = self._commit(connection, batch)
        finally:
            if connection is not None:
                connection.close()

    def _commit(self, connection: Connection | None, batch: list[_Job]) -> Connection | None:
        """Commit ``batch`` on ``connection`` (None: a new one); the connection to use
        next (None again after a failure, which may have been the connection's)."""
        try:
            connection = connection or self.engine.connect()
            with connection.begin():
                results = self.apply(connection, [job.item for job in batch])
        except Exception:  # noqa: BLE001 - one bad job: redo the batch one job at a time
            log.debug("batch of %d failed; retrying its jobs one by one", len(batch))
            if connection is not None:
                connection.close()
            for job in batch:
                self._commit_alone(job)
            return None
        for job, result in zip(batch, results):
            job.result = result
            job.done.release()
        return connection

    def _commit_alone(self, job: _Job) -> None:
        try:
            with self.engine.begin() as connection:
                job.result = self.apply(connection, [job.item])[0]
        except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, raised there
            job.error = exc
        job.done.release()
