"""Errors that carry the file and the problem and build their own message."""
from __future__ import annotations


class SubtitleError(Exception):
    exit_code = 3

    def __init__(self, problem: str, path: object = None):
        self.problem = problem
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.path is not None else self.problem


class UnknownProfileError(SubtitleError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown subtitle profile {name!r}; known profiles: {', '.join(known)}")
        self.name = name
