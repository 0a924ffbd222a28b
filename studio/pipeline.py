"""The resumable pipeline: the stage list, assembled here and nowhere else.

Each stage says which files it consumes and produces and which parameters shape
its work; the manifest (:mod:`studio.manifest`) lets a rerun skip a stage whose
inputs and outputs are unchanged, so editing the glossary redoes the plain track
and the videos but never the transcription.

A stage starts as soon as the earlier stages that make its inputs are finished, so
independent work overlaps: the podcast audio is made while the video encodes (or
while the model transcribes). At most ``WORKERS`` stages run at once.
"""
from __future__ import annotations

import contextlib
import fcntl
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from studio.errors import StudioError
from studio.manifest import Manifest
from studio.stages import artwork, bumpers, ingest, plain, podcast, render, transcript, verbatim
from studio.stages.job import Job
from studio.workdir import WorkDir

WORKERS = 2


@dataclass(frozen=True)
class Stage:
    name: str
    consumes: Callable[[Job], list[Path]]
    produces: Callable[[Job], list[Path]]
    params: Callable[[Job], dict]
    run: Callable[[Job], str | None]  # returns what to tell the user, if anything
    skip_reason: Callable[[Job], str | None] = lambda job: None


def _stage(name: str, module) -> Stage:
    return Stage(name, module.consumes, module.produces, module.params, module.run,
                 getattr(module, "skip_reason", lambda job: None))


TEXT_STAGES = (
    _stage("ingest", ingest),
    _stage("transcribe", transcript),
    _stage("verbatim", verbatim),
    _stage("plain", plain),
)
RENDER_STAGES = (
    _stage("video", render),
    _stage("artwork", artwork),
    _stage("podcast", podcast),
    _stage("bumpers", bumpers),
)
STAGES = TEXT_STAGES + RENDER_STAGES


@dataclass(frozen=True)
class StageResult:
    name: str
    status: str  # "done", "up to date" or "skipped"
    seconds: float = 0.0
    note: str = ""  # why it was skipped, or what a stage that ran has to report


def run_stages(job: Job, stages: tuple[Stage, ...] = STAGES,
               clock: Callable[[], float] = time.perf_counter) -> list[StageResult]:
    """Run ``stages`` on ``job``, skipping those already up to date; results in list order.

    Probes the source first, so a corrupt or empty recording fails before any file
    is written.
    """
    job.media  # noqa: B018 -- raises MediaError naming the file
    job.work.root.mkdir(parents=True, exist_ok=True)
    with exclusive(job.work):
        _remove_leftovers(job.work)
        manifest = Manifest(job.work.manifest)
        results = _schedule(stages, job, lambda stage: _run_one(stage, job, manifest, clock))
    return [results[stage.name] for stage in stages]


def dependencies(stages: tuple[Stage, ...], job: Job) -> dict[str, set[str]]:
    """For each stage, the earlier stages that produce a file it consumes."""
    made_by: dict[Path, str] = {}
    needs: dict[str, set[str]] = {}
    for stage in stages:
        active = not stage.skip_reason(job)
        needs[stage.name] = {made_by[path] for path in stage.consumes(job)
                             if path in made_by} if active else set()
        made_by.update({path: stage.name for path in stage.produces(job)} if active else {})
    return needs


def _schedule(stages: tuple[Stage, ...], job: Job,
              run: Callable[[Stage], StageResult]) -> dict[str, StageResult]:
    """Start each stage once its producers are done; on any failure stop ffmpeg and raise."""
    needs, results = dependencies(stages, job), {}
    job.cancel.clear()
    waiting, running = list(stages), {}
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="stage") as pool:
        try:
            while waiting or running:
                for stage in [s for s in waiting if needs[s.name] <= results.keys()]:
                    waiting.remove(stage)
                    running[pool.submit(run, stage)] = stage
                # A timeout, so Ctrl-C reaches this (main) thread without waiting for a stage.
                done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    results[running.pop(future).name] = future.result()
        except BaseException:  # Ctrl-C included; re-raised, never swallowed
            job.cancel.set()  # the other stage's ffmpeg stops, so the pool winds down
            raise
    return results


@contextlib.contextmanager
def exclusive(work: WorkDir) -> Iterator[None]:
    """One pipeline per work folder (`studio watch` and a person may both start one)."""
    with (work.root / ".studio.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StudioError("another studio command is working in this folder; "
                              "wait for it to finish", work.root) from None
        yield


def _remove_leftovers(work: WorkDir) -> None:
    """Temporary files of a run that was killed (SIGKILL, power loss) before cleaning up."""
    for path in work.root.glob(".*.part.*"):
        path.unlink(missing_ok=True)
    for path in work.root.glob(".render-*"):
        shutil.rmtree(path, ignore_errors=True)


def _run_one(stage: Stage, job: Job, manifest: Manifest, clock) -> StageResult:
    reason = stage.skip_reason(job)
    if reason:
        job.progress.message(f"{stage.name}: skipped, {reason}")
        _report_removed(job, stage, manifest.forget(stage.name))
        return StageResult(stage.name, "skipped", note=reason)
    inputs = stage.consumes(job)
    missing = [path for path in inputs if not path.exists()]
    if missing:
        raise StudioError(f"missing, and stage {stage.name!r} needs it (check the path, "
                          "or run the earlier stages with `studio run`)", missing[0])
    key = manifest.key(inputs, stage.params(job))
    if manifest.is_current(stage.name, key, stage.produces(job)):
        return StageResult(stage.name, "up to date")
    started = clock()
    note = stage.run(job) or ""
    _report_removed(job, stage, manifest.record(stage.name, key, stage.produces(job)))
    return StageResult(stage.name, "done", clock() - started, note)


def _report_removed(job: Job, stage: Stage, removed: list[Path]) -> None:
    if removed:
        names = ", ".join(path.name for path in removed)
        job.progress.message(f"{stage.name}: removed {names} of an earlier run (no longer asked for)")
