"""What every stage works on: the work folder, the source, the options, the progress."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING

from episodes.record import EpisodeRecord
from studio.media import MediaInfo, probe
from studio.progress import NULL_PROGRESS, Progress
from studio.workdir import WorkDir

if TYPE_CHECKING:
    from studio.environment import Environment


@dataclass(frozen=True)
class RenderOptions:
    """Encoder settings and optional deliverables; part of the render stages' hash."""

    vertical: bool = False
    bumpers: bool = False
    preset: str = "veryfast"
    crf: int = 23

    @classmethod
    def from_settings(cls, env: Environment, vertical: bool = False,
                      bumpers: bool = False) -> "RenderOptions":
        """The encoder settings of ``env`` (what `studio run` and the pipeline job use)."""
        return cls(vertical=vertical, bumpers=bumpers, preset=env.setting("render_preset"),
                   crf=env.setting_int("render_crf", 0, 51))


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
    # Transcribe again, prompted with the terms the first transcript suggests (setting second_pass).
    second_pass: bool = False
    # The episode's script (UTF-8 text or .docx), aligned to the audio: its words become
    # the verbatim text, timed from the recognised words. Empty: the machine's text.
    script: str = ""
    # The office's learned corrections (glossary.learned), applied with the glossary's own.
    corrections: str = ""
    # Where and how the model runs; empty or None: the process's settings.
    model_cache: str = ""
    compute_type: str = ""
    cpu_threads: int | None = None

    @classmethod
    def from_settings(cls, env: Environment, prompt_context: str = "") -> "TextOptions":
        """The model and subtitle settings of ``env``."""
        from glossary.learned import path_in

        return cls(model=env.setting("model"), language=env.setting("language"),
                   beam_size=env.setting_int("beam_size", 1, 20),
                   profile=env.setting("profile"), glossary=env.setting("glossary"),
                   corrections=str(path_in(env.setting("instance_path")).absolute()),
                   prompt_context=prompt_context, second_pass=env.setting_flag("second_pass"),
                   model_cache=env.setting("model_cache"),
                   compute_type=env.setting("compute_type"),
                   cpu_threads=env.setting_int("cpu_threads", 0, 1024))


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
