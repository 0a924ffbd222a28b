"""Podcast audio: MP3 and M4A at -16 LUFS, true peak at most -1 dBTP, tagged, with cover.

Two-pass EBU R128. The first ffmpeg run only measures the integrated loudness with
the ebur128 filter (8x cheaper than loudnorm's analysis, which resamples to 192 kHz).
The second applies one linear gain, so speech keeps its natural dynamics, and
encodes both files from a single decode; a look-ahead limiter at -2 dBFS catches
the few peaks the gain would push over the ceiling (loudnorm's dynamic mode would
do the same at 5x the cost).
"""
from __future__ import annotations

import re
from pathlib import Path

from episodes.record import EpisodeRecord
from studio.errors import MediaError
from studio.ffmpeg_progress import run_ffmpeg
from studio.files import atomic_path
from studio.stages import privacy
from studio.stages.ingest import read_record
from studio.stages.job import Job

PODCAST_VERSION = 1
TARGET_LUFS = -16.0
LIMIT_DBFS = -2.0  # sample-peak ceiling; leaves 1 dB for inter-sample and codec overshoot
INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS")


def consumes(job: Job) -> list[Path]:
    return [job.source, job.work.metadata, job.work.cover]


def produces(job: Job) -> list[Path]:
    return [job.work.podcast_mp3, job.work.podcast_m4a]


def params(job: Job) -> dict:
    return {"version": PODCAST_VERSION, "lufs": TARGET_LUFS, "limit": LIMIT_DBFS,
            "private": privacy.params(job)}


def skip_reason(job: Job) -> str | None:
    if not job.media.has_audio:
        return "the recording has no audio track, so no podcast audio was made"
    return None


MP3 = ["-c:a", "libmp3lame", "-b:a", "128k", "-compression_level", "7", "-id3v2_version", "3"]
M4A = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k"]


def run(job: Job) -> None:
    record = read_record(job.work)
    measured = measure_loudness(job)
    with atomic_path(job.work.podcast_mp3) as mp3, atomic_path(job.work.podcast_m4a) as m4a:
        run_ffmpeg(["-i", str(job.source), "-i", str(job.work.cover),
                    "-filter_complex", f"[0:a:0]{privacy.mute_filter(privacy.spans(job))},"
                                       f"{gain_filter(measured)},asplit[mp3][m4a]",
                    *_output("[mp3]", MP3, record), str(mp3),
                    *_output("[m4a]", M4A, record), str(m4a)],
                   duration_ms=job.media.duration_ms, desc="podcast audio", path=job.source,
                   progress=job.progress, cancel=job.cancel)


def measure_loudness(job: Job) -> float:
    """First pass: the integrated loudness (LUFS) of the whole recording."""
    stderr = run_ffmpeg(["-i", str(job.source), "-map", "0:a:0", "-vn", "-sn",
                         "-filter:a", "ebur128", "-f", "null", "-"],
                        duration_ms=job.media.duration_ms, desc="measure loudness",
                        path=job.source, progress=job.progress, cancel=job.cancel)
    found = INTEGRATED.search(stderr[stderr.rfind("Summary:"):])
    if not found or found[1] == "-inf":
        raise MediaError("the audio is silent or unmeasurable; no podcast audio made",
                         job.source)
    return float(found[1])


def gain_filter(integrated: float) -> str:
    """Second pass: one fixed gain to the target, a look-ahead limiter for stray peaks."""
    limit = 10 ** (LIMIT_DBFS / 20)
    return (f"volume={TARGET_LUFS - integrated:.2f}dB,"
            f"alimiter=limit={limit:.4f}:level=0:latency=1")


def _output(label: str, codec: list[str], record: EpisodeRecord) -> list[str]:
    show = record.show_name
    tags = {"title": record.title, "album": show, "artist": show,
            "date": record.air_date_text, "comment": record.summary,
            "genre": "Podcast"}
    args = ["-map", label, "-map", "1:v", "-c:v", "copy", "-disposition:v", "attached_pic",
            "-metadata:s:v", "title=Album cover", "-metadata:s:v", "comment=Cover (front)",
            "-map_metadata", "-1", *codec]
    for key, value in tags.items():
        args += ["-metadata", f"{key}={value}"]
    return args
