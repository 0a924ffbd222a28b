"""What a command needs from the outside world, injected so tests need no patching."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import IO, Callable, Mapping
import os

from studio.progress import NULL_PROGRESS, Progress, TqdmProgress


@dataclass
class Environment:
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], float] = time.perf_counter
    progress: Progress = NULL_PROGRESS

    @classmethod
    def for_terminal(cls, quiet: bool = False) -> "Environment":
        return cls(progress=NULL_PROGRESS if quiet else TqdmProgress(sys.stderr))
