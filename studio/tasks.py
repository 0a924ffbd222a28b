"""What ``studio worker`` runs: the job handlers, registered by job name on the queue.

The site enqueues jobs by name (``episodes.queue.JobQueue.enqueue``) and never
imports this module; a worker builds the queue with :func:`build_queue`, which
registers every handler below, and consumes it with :func:`run_worker`
(``studio worker``) or :func:`embedded_worker` (``studio serve``'s background process).
Job kinds: ``contest.intake`` and ``contest.precheck`` (target: a submission id),
``pipeline.run`` (target: a work folder), ``live.finish`` (target: a live broadcast id;
its recording becomes a draft episode, :mod:`studio.live_recording`), ``episode.rederive`` (target: an episode slug;
:mod:`studio.rederive`).

Handlers are safe to run twice: each one looks at what its target already says
(a submission no longer ``checking``, a pre-check already ``done``) before doing
anything, so a job re-run after its worker was killed changes nothing twice.
"""
from __future__ import annotations

import logging
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from huey.consumer import Consumer
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from episodes.contest import Contest, PrecheckReport, Submission, admit, job_key, reject
from episodes.db import make_sessionmaker
from episodes.jobs import JobProgress
from episodes.queue import Handler, JobQueue
from episodes.uploads import UPLOADS_FOLDER, UploadRejected
from studio import precheck
from studio.environment import Environment

log = logging.getLogger(__name__)


def settings_queue(env: Environment, engine: Engine | None = None) -> JobQueue:
    """The queue the settings name, without handlers: enough to enqueue jobs."""
    if engine is None:
        from studio.cli_support import ready_engine

        engine = ready_engine(env)
    return JobQueue.create(engine, Path(env.setting("instance_path")), env.setting("queue_url"),
                           retries=env.setting_int("job_retries", 0, 100),
                           retry_delay=env.setting_int("job_retry_delay", 0, 86_400),
                           lease_seconds=env.setting_int("job_lease_seconds", 1, 86_400))


def build_queue(env: Environment, engine: Engine | None = None) -> JobQueue:
    """The queue the settings name, with every studio handler registered (a worker's)."""
    queue = settings_queue(env, engine)
    register(queue, env, Path(env.setting("instance_path")) / UPLOADS_FOLDER)
    return queue


def register(queue: JobQueue, env: Environment, uploads: Path,
             transcribe: precheck.Transcriber = precheck.default_transcriber) -> None:
    queue.register("contest.intake", lambda claim, progress: contest_intake(
        queue, uploads, int(claim.target), progress))
    heavy = off_air(env, queue.engine)  # transcriptions and renders leave a live show the CPU
    queue.register("contest.precheck", heavy(lambda claim, progress: contest_precheck(
        queue.engine, uploads, int(claim.target), transcribe, progress)))
    queue.register("pipeline.run", heavy(lambda claim, progress: pipeline_run(
        env, Path(claim.target), claim.params, progress)))
    queue.register("live.finish", heavy(lambda claim, progress: finish_broadcast(
        env, queue.engine, int(claim.target), progress)))
    queue.register("episode.rederive", heavy(lambda claim, progress: episode_rederive(
        queue.engine, env, claim.target, claim.params.get("revision"), progress)))


ON_AIR_CHECK_SECONDS = 10


def off_air(env: Environment, engine: Engine) -> Callable[[Handler], Handler]:
    """Wrap a heavy handler so it waits while a broadcast is on air (catalog:
    ``episodes.live.on_air``): the live captioner must keep up in real time on the
    same cores. The job keeps its lease meanwhile, so no other worker takes it."""
    from datetime import timedelta

    from episodes.live import AirWindow, on_air
    from episodes.models import utcnow

    window = AirWindow(grace=timedelta(seconds=env.setting_int("live_grace_seconds", 0, 86_400)))

    def wrap(handler: Handler) -> Handler:
        def waiting(claim, progress: JobProgress) -> None:
            while True:
                with Session(engine) as session:
                    show = on_air(session, utcnow(), window)
                if show is None:
                    return handler(claim, progress)
                progress.set(0.0, f"waiting: live broadcast {show.id} is on air", force=True)
                log.info("job %s waits: live broadcast %d is on air", claim.job_id, show.id)
                time.sleep(ON_AIR_CHECK_SECONDS)
        return waiting
    return wrap


def run_worker(queue: JobQueue, workers: int = 1) -> None:
    """Consume jobs on ``workers`` threads until SIGINT (running jobs finish) or SIGTERM
    (they stop; their leases run out and they run again). Runs in the main thread of
    its process: Huey's consumer installs the signal handlers."""
    _consumer(queue, workers).run()


@contextmanager
def embedded_worker(queue: JobQueue, workers: int = 1) -> Iterator[None]:
    """Consume jobs on background threads while the caller's process does other work
    (``studio serve``'s background process); stop gracefully on the way out. The
    process keeps its own signal handlers."""
    consumer = _consumer(queue, workers)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    try:
        yield
    finally:
        consumer.stop(graceful=True)


def _consumer(queue: JobQueue, workers: int) -> Consumer:
    queue.requeue_expired(at_start=True)
    # An idle consumer polls at most every second: SQLite storage has no blocking read.
    return queue.huey.create_consumer(workers=workers, worker_type="thread", max_delay=1.0)


def contest_intake(queue: JobQueue, uploads: Path, submission_id: int, progress: JobProgress) -> None:
    """Check an uploaded video with ffprobe and strip its tags: accept it (round 1, and
    a pre-check job) or reject it (the rule it breaks is kept, the file removed)."""
    from studio.contest_intake import check_video, strip_metadata

    with Session(queue.engine, expire_on_commit=False) as session:
        submission = session.get(Submission, submission_id)
        if submission is None or submission.intake != "checking":
            return  # withdrawn, or decided by an earlier run
        contest = session.get(Contest, submission.contest_id)
        stored = uploads / contest.slug / submission.stored_name
        label = submission.original_name
        progress.set(0.1, "checking the video", force=True)
        try:
            info = check_video(stored, contest, label)
            progress.set(0.5, "removing tags", force=True)
            strip_metadata(stored, info.format_name, label)
        except UploadRejected as exc:
            reject(session, submission, exc.reason, **exc.detail)
            session.commit()
            stored.unlink(missing_ok=True)
            log.info("upload %s rejected: %s", submission.code, exc)
            return
        admit(session, contest, submission, container=info.format_name,
              size_bytes=stored.stat().st_size, duration_ms=info.duration_ms,
              width=info.width, height=info.height)
        queue.enqueue(session, "contest.precheck", submission.id,
                      key=job_key("contest.precheck", submission))
        session.commit()


def contest_precheck(engine: Engine, uploads: Path, submission_id: int,
                     transcribe: precheck.Transcriber, progress: JobProgress) -> None:
    """Pre-check one accepted submission (its report shows the outcome, failures too)."""
    with Session(engine) as session:
        status = session.scalar(select(PrecheckReport.status).where(
            PrecheckReport.submission_id == submission_id))
    if status in (None, "done"):
        return  # no such submission any more, or checked by an earlier run
    precheck.run_one(make_sessionmaker(engine), uploads, submission_id, transcribe, progress)


def pipeline_run(env: Environment, work: Path, params: dict, progress: JobProgress) -> None:
    """Run the pipeline in the work folder ``work`` on ``params["source"]`` (default: the
    recording the folder was made from): every stage, or with ``stages="render"`` the
    render stages only (a re-render); ``params["episode"]`` is the record people typed
    (an :class:`EpisodeRecord` as a dict), else it comes from the file name. Stages
    already up to date are skipped, so running the same job again changes nothing.

    >>> queue.enqueue(engine, "pipeline.run", "/srv/work/ep12", stages="render")  # doctest: +SKIP
    """
    from episodes.record import EpisodeRecord
    from studio.pipeline import RENDER_STAGES, STAGES, run_stages
    from studio.stages.ingest import read_record
    from studio.stages.job import Job, RenderOptions, TextOptions
    from studio.workdir import WorkDir

    workdir = WorkDir(work)
    source = Path(params.get("source") or read_record(workdir).source)
    render = RenderOptions.from_settings(env, params.get("vertical", False), params.get("bumpers", False))
    episode = EpisodeRecord.from_dict(params["episode"]) if params.get("episode") else None
    job = Job(workdir, source, episode, render=render, text=TextOptions.from_settings(env), progress=progress)
    run_stages(job, RENDER_STAGES if params.get("stages") == "render" else STAGES)


def finish_broadcast(env: Environment, engine: Engine, broadcast_id: int, progress: JobProgress) -> None:
    """A live broadcast's recording becomes a draft episode (:mod:`studio.live_recording`)."""
    from studio.live_recording import finish_broadcast as finish

    finish(env, engine, broadcast_id, progress)


def episode_rederive(engine: Engine, env: Environment, slug: str, revision: int | None,
                     progress: JobProgress) -> None:
    """After an approval: the episode's work folder and library files follow its text."""
    from studio.cli_support import media_root
    from studio.rederive import rederive
    from studio.stages.job import RenderOptions, TextOptions

    rederive(engine, media_root(env), TextOptions.from_settings(env), RenderOptions.from_settings(env),
             slug, revision, progress)
