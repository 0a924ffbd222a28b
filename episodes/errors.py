"""Catalog errors name what was looked for and what went wrong."""
from __future__ import annotations


class CatalogError(Exception):
    exit_code = 3

    def __init__(self, problem: str, path: object = None):
        self.problem = problem
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.path is not None else self.problem


class NotFound(CatalogError):
    """No such episode, asset or record."""
