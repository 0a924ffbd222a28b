"""Ingest: probe the recording and write episode.json, the record every stage reads.

episode.json is an :class:`~episodes.record.EpisodeRecord` (shared with
``studio publish``): what people typed, the title and slug derived from the file
name where they typed none, the probed duration and the source's absolute path.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from pypinyin import lazy_pinyin

from episodes.record import EpisodeRecord
from studio.errors import StudioError
from studio.ffmpeg_progress import run_ffmpeg
from studio.files import write_text
from studio.workdir import WorkDir
from studio.stages.job import Job


def consumes(job: Job) -> list[Path]:
    return [job.source]


def produces(job: Job) -> list[Path]:
    return [job.work.metadata]


def params(job: Job) -> dict:
    return {"episode": typed_record(job).to_dict()}


def run(job: Job) -> None:
    verify_complete(job)
    record = dataclasses.replace(typed_record(job), duration_ms=job.media.duration_ms)
    write_text(job.work.metadata, record.to_json())


def verify_complete(job: Job) -> None:
    """Read every packet once (no decoding: seconds for hours) to catch a truncated copy."""
    run_ffmpeg(["-i", str(job.source), "-map", "0", "-c", "copy", "-f", "null", "-"],
               duration_ms=job.media.duration_ms, desc="check recording", path=job.source,
               progress=job.progress, cancel=job.cancel)


def typed_record(job: Job) -> EpisodeRecord:
    """What people typed (``job.episode``), or a record derived from the file name."""
    return job.episode or record_for(job.source)


def record_for(source: Path, title: str | None = None, slug: str | None = None,
               **typed) -> EpisodeRecord:
    """The record of ``source`` before probing: a missing title or slug comes from the
    file name; ``typed`` are the other :class:`EpisodeRecord` fields people gave."""
    return EpisodeRecord(title=title or default_title(source),
                         slug=slug or slugify(source.stem),
                         source=str(source.resolve()), **typed)


def read_record(work: WorkDir) -> EpisodeRecord:
    """episode.json of ``work``, or a one-line error saying how to make it."""
    if not work.metadata.is_file():
        raise StudioError("no episode.json here; make the work folder with "
                          "`studio run SOURCE --work DIR` first", work.root)
    return EpisodeRecord.load(work.metadata)


def default_title(source: Path) -> str:
    return re.sub(r"[_\s]+", " ", source.stem).strip() or source.name


def slugify(text: str) -> str:
    """ASCII slug for URLs; Chinese file names become pinyin (营业执照 -> ying-ye-zhi-zhao)."""
    words = "-".join(lazy_pinyin(text))
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-") or "episode"
