"""What every stage works on: the work folder, the source, the options, the progress."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event

from episodes.record import EpisodeRecord
from studio.media import MediaInfo, probe
from studio.progress import NULL_PROGRESS, Progress
from studio.workdir import WorkDir


@dataclass(frozen=True)
class RenderOptions:
    """Encoder settings and optional deliverables; part of the render stages' hash."""

    vertical: bool = False
    bumpers: bool = False
    preset: str = "veryfast"
    crf: int = 23


@dataclass(frozen=True)
class TextOptions:
    """Speech model and subtitle settings, resolved from :mod:`episodes.settings`."""

    model: str = "base"
    language: str = "zh"
    beam_size: int = 5
    profile: str = "broadcast-zh"
    glossary: str = ""
    # What staff know before transcription (title, summary, script): the glossary
    # terms it names become the decoding prompt.
    prompt_context: str = ""
    # Where and how the model runs; empty or None: the process's settings.
    model_cache: str = ""
    compute_type: str = ""
    cpu_threads: int | None = None


@dataclass
class Job:
    work: WorkDir
    source: Path
    # What people typed about the recording; None: everything from the file name.
    episode: EpisodeRecord | None = None
    render: RenderOptions = field(default_factory=RenderOptions)
    text: TextOptions = field(default_factory=TextOptions)
    progress: Progress = NULL_PROGRESS
    cancel: Event = field(default_factory=Event)  # set when the run is ending early

    def __post_init__(self) -> None:
        # Absolute paths: ffmpeg runs in a scratch folder for the burn-in scripts.
        self.work = WorkDir(Path(self.work.root).resolve())
        self.source = Path(self.source).resolve()

    @functools.cached_property
    def media(self) -> MediaInfo:
        """The source, probed once per run (raises MediaError for unreadable files)."""
        return probe(self.source)
