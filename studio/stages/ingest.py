"""Ingest: probe the recording and write episode.json, the metadata every stage reads.

episode.json is shared with ``studio publish``: title, kind, slug, summary,
air_date (YYYY-MM-DD or null), service_category, guests [{name, department}],
duration_ms, source (absolute path).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

from pypinyin import lazy_pinyin

from studio.errors import StudioError
from studio.ffmpeg_progress import run_ffmpeg
from studio.files import write_text
from studio.workdir import WorkDir
from studio.stages.job import EpisodeFields, Job

KINDS = ("episode", "guide")


def consumes(job: Job) -> list[Path]:
    return [job.source]


def produces(job: Job) -> list[Path]:
    return [job.work.metadata]


def params(job: Job) -> dict:
    return {"fields": asdict(job.fields), "source": str(job.source.resolve())}


def run(job: Job) -> None:
    verify_complete(job)
    write_text(job.work.metadata, json.dumps(episode_metadata(job), ensure_ascii=False,
                                             indent=1))


def verify_complete(job: Job) -> None:
    """Read every packet once (no decoding: seconds for hours) to catch a truncated copy."""
    run_ffmpeg(["-i", str(job.source), "-map", "0", "-c", "copy", "-f", "null", "-"],
               duration_ms=job.media.duration_ms, desc="check recording", path=job.source,
               progress=job.progress, cancel=job.cancel)


def episode_metadata(job: Job) -> dict:
    """episode.json's content: typed fields, defaults from the file name, probed duration."""
    fields: EpisodeFields = job.fields
    return {"title": fields.title or default_title(job.source),
            "kind": fields.kind,
            "slug": fields.slug or slugify(job.source.stem),
            "summary": fields.summary,
            "air_date": fields.air_date,
            "service_category": fields.service_category,
            "guests": [asdict(guest) for guest in fields.guests],
            "duration_ms": job.media.duration_ms,
            "source": str(job.source.resolve())}


def read_metadata(work: WorkDir) -> dict:
    """episode.json of ``work``, or a one-line error saying how to make it."""
    try:
        return json.loads(work.metadata.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudioError("no episode.json here; make the work folder with "
                          "`studio run SOURCE --work DIR` first", work.root) from None
    except (OSError, ValueError) as exc:
        raise StudioError(f"episode.json is unreadable ({exc})", work.metadata) from None


def default_title(source: Path) -> str:
    return re.sub(r"[_\s]+", " ", source.stem).strip() or source.name


def slugify(text: str) -> str:
    """ASCII slug for URLs; Chinese file names become pinyin (营业执照 -> ying-ye-zhi-zhao)."""
    words = "-".join(lazy_pinyin(text))
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-") or "episode"
