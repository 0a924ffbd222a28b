"""The one error root of Wuling Studio, and the exit codes the CLI ends with.

Every package raises a subclass of :class:`WulingError` (``SubtitleError``,
``GlossaryError``, ``CatalogError``, ``StudioError``, ``MediaError``); each carries
the problem, the file and line it is about and the exit code, and ``str(exc)`` is
the complete one-line message ("PATH:LINE: problem"). It lives here because
``subtitles`` imports nothing of ours, so every other package can reach it.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """How ``studio`` ends, for scripts and cron jobs that call it."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    BAD_INPUT = 3
    CHECK_FAILED = 4
    INTERRUPTED = 130


class WulingError(Exception):
    """A failure the user can act on: the problem, where (file, line) and the exit code.

    >>> str(WulingError("no cues", "talk.srt", 12))
    'talk.srt:12: no cues'
    """

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, problem: str, path: object = None, line: int | None = None, *,
                 exit_code: ExitCode | None = None):
        self.problem = problem
        self.path = path
        self.line = line
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(problem, path, line)

    def __str__(self) -> str:
        if self.path is None:
            return self.problem
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.problem}"


class SubtitleError(WulingError):
    """A subtitle file or track that cannot be read, checked or written."""


class UnknownProfileError(SubtitleError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown subtitle profile {name!r}; known profiles: {', '.join(known)}")
        self.name = name
