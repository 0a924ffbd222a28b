"""One place that turns known failures into a one-line message and an exit code."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    BAD_INPUT = 3
    CHECK_FAILED = 4
    INTERRUPTED = 130


class StudioError(Exception):
    """A failure the user can act on: names the file (if any) and the problem."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, problem: str, path: object = None):
        self.problem = problem
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.path is not None else self.problem


class MediaError(StudioError):
    """A media file that ffmpeg cannot read, or that lacks what a step needs."""
