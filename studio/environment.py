"""What a command needs from the outside world, injected so tests need no patching.

``studio`` builds one :class:`Environment` in ``cli()`` and hands it to every
command through click's context (``ctx.obj``); commands read settings through it,
never from ``os.environ``. Tests pass their own, as httpie's do::

    CliRunner().invoke(cli, ["publish", "work/"], obj=Environment(environ={
        "WULING_INSTANCE_PATH": str(tmp_path)}))
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time
from dataclasses import dataclass, field
from typing import IO, Callable, Mapping

import click

from episodes import settings
from studio.progress import NULL_PROGRESS, Progress, TqdmProgress


@dataclass
class Environment:
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Callable[[], float] = time.perf_counter
    progress: Progress = NULL_PROGRESS

    def setting(self, name: str) -> str:
        """Setting ``name`` as this environment gives it (``WULING_<NAME>``, then default)."""
        return settings.get(name, self.environ)

    def setting_int(self, name: str, low: int, high: int) -> int:
        return settings.get_int(name, low, high, self.environ)

    def setting_flag(self, name: str) -> bool:
        return settings.get_flag(name, self.environ)

    def for_terminal(self, quiet: bool = False) -> "Environment":
        """This environment drawing progress bars on its stderr, unless ``quiet``."""
        return dataclasses.replace(
            self, progress=NULL_PROGRESS if quiet else TqdmProgress(self.stderr))


# Gives a command the Environment that cli() put in the context (a fresh one when a
# command is invoked on its own, as some tests do).
pass_environment = click.make_pass_decorator(Environment, ensure=True)
