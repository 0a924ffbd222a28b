"""The verbatim track: the reviewed text when there is one, else the machine's.

The machine's text is the transcript with misheard jargon put back, cut into cues, or,
with ``--script``, the script's words timed from the recognised words. It goes through
the work folder's review log (:mod:`studio.reviewed`), so a human edit, in the
workspace or in a subtitle editor, is never overwritten; the tracks are written from
the log's current revision. It depends on the transcript, the term base and the script,
so editing the glossary redoes this stage but never the transcription.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from glossary.lines import line_units
from studio.captions import correct_transcript, script_cues, verbatim_cues, write_subtitles
from studio.files import write_text
from studio.manifest import Manifest
from studio.reviewed import TRACK_FORMATS, MachineText, reconcile, write_public_transcript
from studio.stages.job import Job
from studio.stages.terms import glossary_files, load_terms
from studio.stages.transcript import needs_audio
from subtitles.align import AlignedScript
from subtitles.errors import SubtitleError
from subtitles.profiles import get_profile
from subtitles.transcript import Transcript

FORMATS = TRACK_FORMATS
skip_reason = needs_audio


def track_files(job: Job, variant: str) -> list[Path]:
    return [job.work.subtitles(variant, fmt) for fmt in FORMATS]


def consumes(job: Job) -> list[Path]:
    script = [Path(job.text.script)] if job.text.script else []
    return [job.work.transcript, *glossary_files(job), *script]


def produces(job: Job) -> list[Path]:
    departures = [job.work.departures] if job.text.script else []
    return [*track_files(job, "verbatim"), job.work.corrected_transcript, job.work.review,
            job.work.public_transcript, *departures]


def params(job: Job) -> dict:
    return {"profile": job.text.profile}


def run(job: Job) -> str:
    terms = load_terms(job)
    transcript = correct_transcript(Transcript.load(job.work.transcript), terms)
    write_text(job.work.corrected_transcript, transcript.to_json())
    machine, notes = machine_text(job, transcript, line_units(terms))
    written = Manifest(job.work.manifest).stages.get("verbatim", {}).get("outputs", {})
    log, changes = reconcile(job.work, machine, written)
    write_subtitles(list(log.current.cues), job.work.root / "verbatim", FORMATS)
    write_public_transcript(job.work, log.current.private)
    return "; ".join(notes + changes)


def machine_text(job: Job, transcript: Transcript,
                 keep: frozenset[str]) -> tuple[MachineText, list[str]]:
    """The machine's cues, from the script when one was given and fits the audio; no
    line splits a word of ``keep`` (the glossary's terms)."""
    profile = get_profile(job.text.profile)
    machine = MachineText(tuple(verbatim_cues(transcript, profile, keep)), "machine",
                          f"machine ({transcript.model or job.text.model})")
    if not job.text.script:
        return machine, []
    script = Path(job.text.script)
    try:
        cues, aligned = script_cues(script, transcript, profile, keep)
    except SubtitleError as exc:  # another video's script, another language
        write_departures(job.work.departures, script, None, str(exc))
        return machine, [f"script not used, the machine text is kept: {exc}"]
    write_departures(job.work.departures, script, aligned)
    note = (f"script {script.name}: {aligned.agreement:.0%} of it heard, "
            f"{len(aligned.departures)} departures")
    return MachineText(tuple(cues), "script", f"script ({script.name})", note), [
        note + (f" (listed in {job.work.departures.name})" if aligned.departures else "")]


def write_departures(path: Path, script: Path, aligned: AlignedScript | None, error: str = "") -> None:
    """Where the speaker left the script, for the workspace to show (``departures.json``)."""
    data = {"script": script.name, "error": error,
            "agreement": round(aligned.agreement, 4) if aligned else None,
            "departures": [asdict(d) for d in aligned.departures] if aligned else []}
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
