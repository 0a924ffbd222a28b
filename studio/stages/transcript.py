"""Transcribe: the recording's speech as transcript.json (the only stage using the model).

Its inputs are the recording and the model settings alone, so neither a new
glossary nor a new subtitle profile ever makes it run again.
"""
from __future__ import annotations

from pathlib import Path

from studio.files import write_text
from studio.stages.job import Job
from studio.transcribe import TranscribeOptions, load_model, transcribe_file


def needs_audio(job: Job) -> str | None:
    """Skip reason shared by the text stages."""
    return None if job.media.has_audio else "the recording has no audio track"


skip_reason = needs_audio


def consumes(job: Job) -> list[Path]:
    return [job.source]


def produces(job: Job) -> list[Path]:
    return [job.work.transcript]


def params(job: Job) -> dict:
    return {"model": job.text.model, "language": job.text.language}


def run(job: Job) -> None:
    options = TranscribeOptions(language=job.text.language)
    transcript = transcribe_file(job.source, options, progress=job.progress,
                                 model=load_model(job.text.model))
    write_text(job.work.transcript, transcript.to_json())
