"""The term base the text stages use (setting ``glossary``; empty = shipped default),
with the corrections staff taught (``glossary.learned``, in the instance folder) and
the names the episode record gives (its programme, its guests' departments), which it
recognises whatever their status in the term base."""
from __future__ import annotations

from pathlib import Path

import glossary
from glossary import io as glossary_io
from glossary import learned
from studio.stages.job import Job

DEFAULT_GLOSSARY = Path(glossary.__file__).parent / "data" / "default.csv"


def glossary_files(job: Job) -> list[Path]:
    """The term-base files a stage depends on, so editing one redoes that stage."""
    taught = [Path(job.text.corrections)] if job.text.corrections else []
    taught = [path for path in taught if path.exists()]  # none until staff teach one
    if not job.text.glossary:
        return [DEFAULT_GLOSSARY, *taught]
    path = Path(job.text.glossary)
    return [*(sorted(path.glob("*.csv")) if path.is_dir() else [path]), *taught]


def load_terms(job: Job) -> glossary.Glossary:
    terms = glossary_io.load(job.text.glossary) if job.text.glossary else glossary.load_default()
    if job.episode:
        terms = terms.recognising(job.episode.own_names)
    return terms.with_corrections(learned.load(job.text.corrections)) if job.text.corrections else terms
