"""The plain-language track: the verbatim cues with the glossary applied, and a report.

It reads the verbatim SRT and the term base, so editing the glossary redoes this
stage (and the videos after it) and nothing before it. Where staff chose a cue's plain
wording in review (保留规范说法, kept in the current revision), that wording is used,
and the cue keeps what the track adds to it (an aside explaining the cue before).
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from glossary.tracks import plain_track
from studio.captions import write_subtitles
from studio.files import write_text
from studio.reviewed import load_log
from studio.stages.job import Job
from studio.stages.terms import glossary_files, load_terms
from studio.stages.transcript import needs_audio
from studio.stages.verbatim import FORMATS, track_files
from subtitles import io as subtitle_io
from subtitles.profiles import get_profile

skip_reason = needs_audio


def consumes(job: Job) -> list[Path]:
    return [job.work.subtitles("verbatim", "srt"), *glossary_files(job)]


def produces(job: Job) -> list[Path]:
    return [*track_files(job, "plain"), job.work.glossary_report]


def params(job: Job) -> dict:
    return {"profile": job.text.profile, "chosen": chosen_wordings(job)}


def chosen_wordings(job: Job) -> list[tuple[str, str]]:
    """The plain wording staff chose for a cue (保留规范说法), as the current revision keeps it."""
    current = load_log(job.work).current
    return [list(pair) for pair in current.plain_choices] if current else []


def run(job: Job) -> None:
    terms = load_terms(job)
    profile = get_profile(job.text.profile)
    cues = subtitle_io.load(job.work.subtitles("verbatim", "srt"))
    chosen = dict(map(tuple, chosen_wordings(job)))
    track = plain_track(cues, terms, profile,
                        chosen={index: chosen[cue.text] for index, cue in enumerate(cues) if cue.text in chosen})
    write_subtitles(track.cues, job.work.root / "plain", FORMATS)
    report = {"changes": [{"cue": number, **change._asdict()} for number, change in track.changes],
              "fallbacks": [asdict(fallback) for fallback in track.fallbacks],
              "unexplained": track.unexplained}  # explained only on the term page
    write_text(job.work.glossary_report, json.dumps(report, ensure_ascii=False, indent=1))
