"""The background process of `studio serve`: the publish scheduler and one embedded job
worker, in a child process of their own, so the web process runs neither.

`studio serve` starts it with multiprocessing's *spawn* method (a fresh interpreter:
no web app, threads or database connections inherited). The child runs while a pipe
from its parent stays open, so it stops cleanly, handing back the scheduler lease,
when `studio serve` stops, and also when `studio serve` is killed with -9. However
many `studio serve` processes (or machines) share a catalog, the lease in the catalog
lets one scheduler publish (see :mod:`episodes.scheduler`).

Example::

    background = start_background(env, str(engine.url), logging.INFO)
    ...                   # serve requests
    background.stop()
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Iterator, Mapping

from sqlalchemy import Engine

from episodes.db import make_engine
from episodes.scheduler import PublishScheduler, Timing
from studio.environment import Environment
from studio.errors import StudioError

log = logging.getLogger(__name__)

STOP_SECONDS = 30  # a publish in progress finishes; a stuck child is then terminated


def scheduler_timing(env: Environment) -> Timing:
    """Reconcile and lease intervals from the settings (a one-line error if unusable)."""
    reconcile = env.setting_int("scheduler_reconcile_seconds", 1, 3600)
    lease = env.setting_int("scheduler_lease_seconds", 2, 86400)
    if lease <= reconcile:
        raise StudioError(f"setting scheduler_lease_seconds ({lease}) must be longer than "
                          f"scheduler_reconcile_seconds ({reconcile}), or the lease lapses "
                          "between renewals")
    return Timing(reconcile_seconds=reconcile, lease_seconds=lease)


@contextmanager
def running_scheduler(engine: Engine, timing: Timing,
                      review_required: bool = True) -> Iterator[PublishScheduler]:
    """A started publish scheduler, shut down (lease released) on the way out;
    ``review_required`` is the approval gate (setting review_required)."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # APScheduler logs every reconcile run at INFO: keep it for -vv
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = PublishScheduler(engine, timing, review_required=review_required)
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown()


@dataclass
class Background:
    """The parent's handle on the background process."""

    process: multiprocessing.process.BaseProcess
    keep_alive: Connection

    def stop(self) -> None:
        """Close the pipe (the child's signal to stop) and wait for it to finish.

        The wait is in short rounds: under gevent (`studio serve --worker-class gevent`)
        a child that ended during one long ``join`` went unseen until it timed out, so
        every stop took the full 30 s.
        """
        self.keep_alive.close()
        deadline = time.monotonic() + STOP_SECONDS
        while self.process.is_alive() and time.monotonic() < deadline:
            self.process.join(0.5)
        if self.process.is_alive():
            log.warning("background process %d did not stop; terminating it", self.process.pid)
            self.process.terminate()
            self.process.join()


def start_background(env: Environment, database_url: str, log_level: int) -> Background:
    """Start the scheduler and the embedded worker in one child process (the settings
    are checked here first, so a bad one is a one-line error from `studio serve`)."""
    timing = scheduler_timing(env)
    env.setting_flag("review_required")  # an unusable value stops `studio serve` here
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_background_main, name="studio-background",
                              args=(reader, dict(env.environ), database_url, timing, log_level))
    process.start()
    reader.close()  # the child holds the only read end: EOF there means we are gone
    return Background(process, writer)


def _background_main(parent_alive: Connection, environ: Mapping[str, str], database_url: str,
                     timing: Timing, log_level: int) -> None:
    # Ctrl-C reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # unwind: stop both, release the lease
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    from studio import tasks  # the job handlers: loaded here, never in the web process

    engine = make_engine(database_url)
    env = Environment(environ=environ)
    queue = tasks.build_queue(env, engine)
    with running_scheduler(engine, timing, env.setting_flag("review_required")), \
            tasks.embedded_worker(queue):
        wait([parent_alive])  # readable at EOF: the parent stopped or died
