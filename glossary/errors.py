"""Glossary errors carry the file, line and problem and build their own message."""
from __future__ import annotations


class GlossaryError(Exception):
    exit_code = 3

    def __init__(self, problem: str, path: object = None, line: int | None = None):
        self.problem = problem
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = "" if self.path is None else f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.problem
