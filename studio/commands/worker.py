"""`studio worker`: run background jobs (contest intake and pre-checks) until stopped.

A thin shell over :func:`studio.tasks.run_worker`. Start as many as the machine
(or machines, with ``queue_url=redis://…``) can carry; each job still runs once.
"""
from __future__ import annotations

import click

from studio.environment import Environment, pass_environment


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at the same time in this process (threads).")
@pass_environment
def worker_command(env: Environment, workers: int) -> None:
    """Run queued background jobs until Ctrl-C (running jobs finish first; SIGTERM stops
    them at once, and they run again)."""
    from studio import tasks

    from episodes.queue import code_version

    queue = tasks.build_queue(env)
    click.echo(f"worker (wuling-studio {code_version()}): {workers} thread(s) on "
               f"{type(queue.huey.storage).__name__}; job kinds: {', '.join(sorted(queue.handlers))}",
               err=True)
    tasks.run_worker(queue, workers)
