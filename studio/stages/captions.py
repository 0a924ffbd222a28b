"""Text stages: transcribe, the verbatim track, the plain-language (glossary) track.

Three stages, so the manifest can tell them apart: editing the glossary changes
only the plain stage's inputs, and the model never runs again for it.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import glossary
from glossary import io as glossary_io
from glossary.tracks import plain_track
from studio.captions import verbatim_cues, write_subtitles
from studio.files import write_text
from studio.stages.job import Job
from studio.transcribe import TranscribeOptions, transcribe_file
from subtitles import io as subtitle_io
from subtitles.profiles import get_profile
from subtitles.transcript import Transcript

FORMATS = ("srt", "vtt", "ass")
DEFAULT_GLOSSARY = Path(glossary.__file__).parent / "data" / "default.csv"


def _no_audio(job: Job) -> str | None:
    return None if job.media.has_audio else "the recording has no audio track"


def _track(job: Job, variant: str) -> list[Path]:
    return [job.work.subtitles(variant, fmt) for fmt in FORMATS]


def glossary_files(job: Job) -> list[Path]:
    """The term-base files the plain track depends on (setting ``glossary``)."""
    if not job.text.glossary:
        return [DEFAULT_GLOSSARY]
    path = Path(job.text.glossary)
    return sorted(path.glob("*.csv")) if path.is_dir() else [path]


def _transcribe(job: Job) -> None:
    options = TranscribeOptions(language=job.text.language)
    transcript = transcribe_file(job.source, options, progress=job.progress)
    write_text(job.work.transcript, transcript.to_json())


def _verbatim(job: Job) -> None:
    cues = verbatim_cues(Transcript.load(job.work.transcript), get_profile(job.text.profile))
    write_subtitles(cues, job.work.root / "verbatim", FORMATS)


def _plain(job: Job) -> None:
    terms = glossary_io.load(job.text.glossary) if job.text.glossary else glossary.load_default()
    cues = subtitle_io.load(job.work.subtitles("verbatim", "srt"))
    track = plain_track(cues, terms, get_profile(job.text.profile))
    write_subtitles(track.cues, job.work.root / "plain", FORMATS)
    report = {"changes": [{"cue": number, **change._asdict()} for number, change in track.changes],
              "fallbacks": [asdict(fallback) for fallback in track.fallbacks]}
    write_text(job.work.glossary_report, json.dumps(report, ensure_ascii=False, indent=1))


transcribe_stage = SimpleNamespace(
    consumes=lambda job: [job.source], produces=lambda job: [job.work.transcript],
    params=lambda job: {"model": job.text.model, "language": job.text.language},
    run=_transcribe, skip_reason=_no_audio)

verbatim_stage = SimpleNamespace(
    consumes=lambda job: [job.work.transcript], produces=lambda job: _track(job, "verbatim"),
    params=lambda job: {"profile": job.text.profile}, run=_verbatim, skip_reason=_no_audio)

plain_stage = SimpleNamespace(
    consumes=lambda job: [job.work.subtitles("verbatim", "srt"), *glossary_files(job)],
    produces=lambda job: [*_track(job, "plain"), job.work.glossary_report],
    params=lambda job: {"profile": job.text.profile}, run=_plain, skip_reason=_no_audio)
