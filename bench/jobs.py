"""Render jobs through the job queue: 1 worker process against 2, side by side.

    .venv/bin/python bench/jobs.py [--jobs 20] [--seconds 4] [--queue-url redis://...]

Makes a tiny clip with ffmpeg (``--seconds`` of 320x180 test pattern and a tone, with
an SRT), then for each worker count (1, then 2): ``--jobs`` work folders ingested from
it, ``studio worker`` processes started and ready, all jobs enqueued at once as
``pipeline.run`` renders (the ``studio render DIR --background`` job: web and burned-in
video, poster and cover, podcast MP3 and M4A), and the wall time until every job row
says done. Reports jobs/min for each and the throughput ratio; every job must run
exactly once (attempts = 1). The queue is the default (Huey on SQLite in the instance
folder) unless ``--queue-url`` names a Redis.

Bounded: each round stops after 15 minutes.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy.orm import Session  # noqa: E402

from episodes import jobs  # noqa: E402
from episodes.db import make_engine  # noqa: E402
from episodes.queue import JobQueue  # noqa: E402
from episodes.schema import migrations  # noqa: E402
from studio.media import ffmpeg_exe  # noqa: E402
from studio.pipeline import TEXT_STAGES, run_stages  # noqa: E402
from studio.stages.job import Job  # noqa: E402
from studio.workdir import WorkDir  # noqa: E402

DEADLINE_S = 900
STUDIO = Path(sys.executable).with_name("studio")
SRT = "1\n00:00:00,000 --> 00:00:02,000\n社保卡丢了要先挂失\n\n2\n00:00:02,000 --> 00:00:04,000\n再到政务服务中心补办\n"


def make_clip(folder: Path, seconds: float) -> Path:
    clip = folder / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=320x180:rate=25:duration={seconds}", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip)],
                   check=True)
    clip.with_suffix(".srt").write_text(SRT, encoding="utf-8")
    return clip


def work_folder(root: Path, clip: Path, number: int) -> Path:
    """A work folder as `studio run` leaves it before rendering (record and subtitles)."""
    work = WorkDir(root / f"work-{number:02d}")
    work.root.mkdir(parents=True)
    for variant in ("verbatim", "plain"):
        shutil.copyfile(clip.with_suffix(".srt"), work.subtitles(variant, "srt"))
    run_stages(Job(work, clip), TEXT_STAGES[:1])
    return work.root


def run_round(root: Path, clip: Path, workers: int, count: int, queue_url: str) -> tuple[float, list]:
    """Wall seconds for ``count`` render jobs through ``workers`` worker processes."""
    instance = root / f"instance-{workers}"
    folders = [work_folder(root / f"round-{workers}", clip, n) for n in range(count)]
    instance.mkdir()
    engine = make_engine(f"sqlite:///{instance / 'catalog.sqlite3'}")
    migrations.apply(engine)
    env = {**os.environ, "WULING_INSTANCE_PATH": str(instance), "WULING_QUEUE_URL": queue_url}
    logs = [instance / f"worker-{n}.log" for n in range(workers)]
    processes = [subprocess.Popen([str(STUDIO), "worker"], env=env, stderr=log.open("w"),
                                  start_new_session=True) for log in logs]
    try:
        _wait(lambda: all("worker:" in log.read_text() for log in logs), 120)
        queue = JobQueue.create(engine, instance, queue_url, retries=0, retry_delay=0)
        began = time.perf_counter()
        for n, folder in enumerate(folders):
            queue.enqueue(engine, "pipeline.run", str(folder), key=f"render-{n}", stages="render",
                          source=str(clip))
        _wait(lambda: all(s and s.state in ("done", "failed") for s in _states(engine, count)),
              DEADLINE_S)
        elapsed = time.perf_counter() - began
        return elapsed, _states(engine, count)
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(60)
        engine.dispose()


def _states(engine, count: int) -> list:
    with Session(engine) as session:
        return [jobs.progress(session, f"render-{n}") for n in range(count)]


def _wait(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=4, help="length of the tiny clip")
    parser.add_argument("--queue-url", default="", help="redis://... (default: Huey on SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        clip = make_clip(root, args.seconds)
        rate = {}
        for workers in (1, 2):
            elapsed, states = run_round(root, clip, workers, args.jobs, args.queue_url)
            done = sum(1 for s in states if s.state == "done")
            attempts = sorted({s.attempts for s in states})
            rate[workers] = args.jobs / elapsed * 60
            print(f"{workers} worker process(es): {args.jobs} render jobs of a {args.seconds:g} s "
                  f"clip in {elapsed:.1f} s = {rate[workers]:.1f} jobs/min; done {done}/{args.jobs}, "
                  f"attempts per job {attempts}")
        print(f"throughput ratio 2 workers / 1 worker: {rate[2] / rate[1]:.2f} "
              f"(machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
