"""Benchmark: our renders against a plain ffmpeg re-encode of the same clip.

Run: .venv/bin/python -m bench.render [--clip PATH] [--loops 4] [--repeat 3]

The clip (a shared 45-second guide video with its SRT) is played ``--loops`` times
in a row (stream copy, no re-encode) so fixed start-up costs weigh as little as
they do on a real episode.

Side by side, in one run, with the same x264 settings (the ``render_preset`` and
``render_crf`` settings): (1) the floor, a plain re-encode of the clip with its
audio copied; (2) our video stage, which decodes once and writes web.mp4 and the
burned-in burned.mp4; (3) the whole ``studio render`` (video, poster and cover,
two-pass podcast MP3 + M4A; independent stages overlap, two at a time). Each is
timed ``--repeat`` times, interleaved; the medians of wall-clock time and of CPU
time (ours plus ffmpeg's, which stays honest when the machine is shared and shows
what the overlap costs) are reported. Targets: burn-in <= 1.10x and all
deliverables <= 1.6x the floor.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from episodes import settings  # noqa: E402
from studio.media import probe  # noqa: E402
from studio.pipeline import RENDER_STAGES, TEXT_STAGES, run_stages  # noqa: E402
from studio.stages import render  # noqa: E402
from studio.stages.job import Job, RenderOptions  # noqa: E402
from studio.workdir import WorkDir  # noqa: E402
from subtitles import io as subtitle_io  # noqa: E402
from tests.support import SHARED_MEDIA  # noqa: E402

CLIP = SHARED_MEDIA / "guide_business_license.mp4"


def looped(scratch: Path, clip: Path, loops: int) -> Path:
    """``clip`` (and its SRT) ``loops`` times in a row, without re-encoding."""
    target = scratch / f"looped{clip.suffix}"
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", str(loops - 1), "-i", str(clip),
                    "-map", "0", "-c", "copy", "-movflags", "+faststart", str(target)],
                   check=True)
    cues, length = subtitle_io.load(clip.with_suffix(".srt")), probe(clip).duration_ms
    shifted = [cue.shifted(cue.start_ms + n * length, cue.end_ms + n * length)
               for n in range(loops) for cue in cues]
    target.with_suffix(".srt").write_text(subtitle_io.dumps(shifted, "srt"), encoding="utf-8")
    return target


def fresh_job(scratch: Path, clip: Path, options: RenderOptions) -> Job:
    """A work folder with episode.json and the clip's SRT as both subtitle tracks."""
    work = WorkDir(Path(tempfile.mkdtemp(dir=scratch)))
    for variant in ("verbatim", "plain"):
        shutil.copyfile(clip.with_suffix(".srt"), work.subtitles(variant, "srt"))
    job = Job(work, clip, render=options)
    run_stages(job, TEXT_STAGES[:1])
    return job


def plain_reencode(scratch: Path, clip: Path, options: RenderOptions) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-c:v", "libx264",
                    "-preset", options.preset, "-crf", str(options.crf), "-profile:v", "high",
                    "-c:a", "copy", "-movflags", "+faststart", str(scratch / "plain.mp4")],
                   check=True)


def cpu_seconds() -> float:
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action) -> tuple[float, float]:
    """(wall, CPU) seconds of ``action()``."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=CLIP,
                        help="a video with a same-named .srt beside it")
    parser.add_argument("--loops", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    options = RenderOptions(preset=settings.get("render_preset"),
                            crf=int(settings.get("render_crf")))
    times: dict[str, list[tuple[float, float]]] = {"plain": [], "burn-in": [], "all": []}
    with tempfile.TemporaryDirectory() as name:
        scratch = Path(name)
        clip = looped(scratch, args.clip, args.loops)
        for _ in range(args.repeat):
            times["plain"].append(timed(lambda: plain_reencode(scratch, clip, options)))
            job = fresh_job(scratch, clip, options)
            times["burn-in"].append(timed(lambda: render.run(job)))
            job = fresh_job(scratch, clip, options)
            times["all"].append(timed(lambda: run_stages(job, RENDER_STAGES)))
        report(f"{args.clip.name} x{args.loops} ({probe(clip).duration_ms / 1000:.0f} s)",
               options, args.repeat, times)


def report(clip: str, options: RenderOptions, repeat: int,
           times: dict[str, list[tuple[float, float]]]) -> None:
    wall = {key: statistics.median(w for w, _ in runs) for key, runs in times.items()}
    cpu = {key: statistics.median(c for _, c in runs) for key, runs in times.items()}
    print(f"clip: {clip}; x264 preset {options.preset}, crf {options.crf}; "
          f"median of {repeat} runs")
    print(f"{'':48s} {'wall':>8s} {'ratio':>6s} {'CPU':>8s} {'ratio':>6s}  target")
    rows = (("plain re-encode (floor)", "plain", None),
            ("video stage: web.mp4 + burned-in (one decode)", "burn-in", 1.10),
            ("studio render: all deliverables", "all", 1.6))
    for label, key, target in rows:
        ratios = wall[key] / wall["plain"], cpu[key] / cpu["plain"]
        verdict = "" if target is None else f"<= {target:.2f}x: " + ", ".join(
            f"{kind} {'met' if ratio <= target else 'MISSED'}"
            for kind, ratio in zip(("wall", "CPU"), ratios))
        print(f"{label:48s} {wall[key]:6.2f} s {ratios[0]:5.2f}x {cpu[key]:6.2f} s "
              f"{ratios[1]:5.2f}x  {verdict}")


if __name__ == "__main__":
    main()
