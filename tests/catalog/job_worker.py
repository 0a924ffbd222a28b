"""``studio worker`` with two job kinds that exist only in tests, run as
``python -m tests.catalog.job_worker [WORKERS]`` by ``tests/catalog/test_jobs.py``.

``test.sleep`` writes "start" to its record file, sleeps, then writes "done" (its
effect); ``test.flaky`` writes the time of each try and fails its first
``fails`` tries.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from episodes.jobs import Claim, JobProgress
from studio import tasks
from studio.environment import Environment


def _note(claim: Claim, line: str) -> int:
    record = Path(claim.params["record"])
    with record.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    return len(record.read_text(encoding="utf-8").splitlines())


def sleep_then_record(claim: Claim, progress: JobProgress) -> None:
    _note(claim, f"start {claim.target}")
    progress.set(0.5, "sleeping", force=True)
    time.sleep(claim.params["seconds"])
    _note(claim, f"done {claim.target}")


def flaky(claim: Claim, progress: JobProgress) -> None:
    tries = _note(claim, f"{time.monotonic()}")
    if tries <= claim.params["fails"]:
        raise RuntimeError(f"flaky failure {tries}")


if __name__ == "__main__":
    queue = tasks.build_queue(Environment())
    queue.register("test.sleep", sleep_then_record)
    queue.register("test.flaky", flaky)
    tasks.run_worker(queue, int(sys.argv[1]) if len(sys.argv) > 1 else 1)
