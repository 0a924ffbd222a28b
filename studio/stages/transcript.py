"""Transcribe: the recording's speech as transcript.json (the only stage using the model).

Its inputs are the recording, the model settings and the decoding prompt (the
glossary terms the episode's title, summary, script, service category or guests'
departments name), so a new subtitle
profile never makes it run again, and a glossary edit only when it changes the prompt. It runs beside the
ingest check; if that (or any stage) fails, the model stops at its next segment. With the
setting ``second_pass`` on, the model runs twice (:func:`studio.captions.second_pass`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from threading import Event

from studio.errors import StudioError
from studio.captions import decoding_prompt, second_pass
from studio.files import write_text
from studio.progress import Bar, Progress
from studio.stages.job import Job
from studio.stages.terms import load_terms
from studio.transcribe import TranscribeOptions, load_model, transcribe_file
from subtitles.transcript import Transcript


def needs_audio(job: Job) -> str | None:
    """Skip reason shared by the text stages."""
    return None if job.media.has_audio else "the recording has no audio track"


skip_reason = needs_audio


def consumes(job: Job) -> list[Path]:
    return [job.source]


def produces(job: Job) -> list[Path]:
    return [job.work.transcript]


def prompt(job: Job) -> str | None:
    return decoding_prompt(load_terms(job), context(job))


def context(job: Job) -> str:
    """What staff know before transcription: the context they gave (script, title,
    summary) and what the episode record says it is about (its title, summary, service
    category and guests' departments), whichever way the job was started."""
    return f"{job.text.prompt_context}\n{job.episode.about}" if job.episode else job.text.prompt_context


def params(job: Job) -> dict:
    return {"model": job.text.model, "language": job.text.language,
            "beam_size": job.text.beam_size, "prompt": prompt(job),
            **({"second_pass": True} if job.text.second_pass else {})}


def run(job: Job) -> None:
    options = TranscribeOptions(language=job.text.language, beam_size=job.text.beam_size,
                                initial_prompt=prompt(job))
    progress = StopOnCancel(job.progress, job.cancel, job.source)
    model = load_model(job.text.model, job.text.model_cache or None, job.text.compute_type or None,
                       job.text.cpu_threads)

    def transcribe(initial_prompt: str | None) -> Transcript:
        return transcribe_file(job.source, replace(options, initial_prompt=initial_prompt),
                               progress=progress, model=model)

    transcript = transcribe(options.initial_prompt)
    if job.text.second_pass:
        transcript = second_pass(transcript, load_terms(job), context(job), transcribe)
    write_text(job.work.transcript, transcript.to_json())


@dataclass
class StopOnCancel:
    """Progress whose bars raise once the run is ending: the model has no other stop."""

    progress: Progress
    cancel: Event
    path: Path

    def bar(self, total: float | None, desc: str, unit: str = "s") -> Bar:
        return _StoppingBar(self.progress.bar(total, desc, unit), self)

    def message(self, text: str) -> None:
        self.progress.message(text)


@dataclass
class _StoppingBar:
    bar: Bar
    owner: StopOnCancel

    def update(self, n: float) -> None:
        if self.owner.cancel.is_set():
            raise StudioError("transcription stopped because the run is ending", self.owner.path)
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()
