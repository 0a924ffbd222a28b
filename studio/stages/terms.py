"""The term base the text stages use (setting ``glossary``; empty = shipped default)."""
from __future__ import annotations

from pathlib import Path

import glossary
from glossary import io as glossary_io
from studio.stages.job import Job

DEFAULT_GLOSSARY = Path(glossary.__file__).parent / "data" / "default.csv"


def glossary_files(job: Job) -> list[Path]:
    """The term-base files a stage depends on, so editing one redoes that stage."""
    if not job.text.glossary:
        return [DEFAULT_GLOSSARY]
    path = Path(job.text.glossary)
    return sorted(path.glob("*.csv")) if path.is_dir() else [path]


def load_terms(job: Job) -> glossary.Glossary:
    return glossary_io.load(job.text.glossary) if job.text.glossary else glossary.load_default()
