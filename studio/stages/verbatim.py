"""The verbatim track: the transcript cut into broadcast cues, as SRT, WebVTT and ASS."""
from __future__ import annotations

from pathlib import Path

from studio.captions import verbatim_cues, write_subtitles
from studio.stages.job import Job
from studio.stages.transcript import needs_audio
from subtitles.profiles import get_profile
from subtitles.transcript import Transcript

FORMATS = ("srt", "vtt", "ass")
skip_reason = needs_audio


def track_files(job: Job, variant: str) -> list[Path]:
    return [job.work.subtitles(variant, fmt) for fmt in FORMATS]


def consumes(job: Job) -> list[Path]:
    return [job.work.transcript]


def produces(job: Job) -> list[Path]:
    return track_files(job, "verbatim")


def params(job: Job) -> dict:
    return {"profile": job.text.profile}


def run(job: Job) -> None:
    cues = verbatim_cues(Transcript.load(job.work.transcript), get_profile(job.text.profile))
    write_subtitles(cues, job.work.root / "verbatim", FORMATS)
