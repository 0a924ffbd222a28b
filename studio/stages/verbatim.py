"""The verbatim track: the transcript, with misheard jargon put back, cut into cues.

It depends on the transcript and the term base (glossary correction), so editing
the glossary redoes this stage but never the transcription.
"""
from __future__ import annotations

from pathlib import Path

from studio.captions import correct_transcript, verbatim_cues, write_subtitles
from studio.files import write_text
from studio.stages.job import Job
from studio.stages.terms import glossary_files, load_terms
from studio.stages.transcript import needs_audio
from subtitles.profiles import get_profile
from subtitles.transcript import Transcript

FORMATS = ("srt", "vtt", "ass")
skip_reason = needs_audio


def track_files(job: Job, variant: str) -> list[Path]:
    return [job.work.subtitles(variant, fmt) for fmt in FORMATS]


def consumes(job: Job) -> list[Path]:
    return [job.work.transcript, *glossary_files(job)]


def produces(job: Job) -> list[Path]:
    return [*track_files(job, "verbatim"), job.work.corrected_transcript]


def params(job: Job) -> dict:
    return {"profile": job.text.profile}


def run(job: Job) -> None:
    transcript = correct_transcript(Transcript.load(job.work.transcript), load_terms(job))
    write_text(job.work.corrected_transcript, transcript.to_json())
    cues = verbatim_cues(transcript, get_profile(job.text.profile))
    write_subtitles(cues, job.work.root / "verbatim", FORMATS)
