"""The term base (jargon -> plain language), fast matching and rewriting.

``load_default()`` gives the glossary shipped with the product
(``glossary/data/default.csv``); ``glossary.io.load(path)`` reads the office's own.
"""
from __future__ import annotations

import functools
from importlib import resources

from glossary.io import loads
from glossary.termbase import Glossary, Term

__all__ = ["Glossary", "Term", "load_default", "default_text"]
DEFAULT_NAME = "glossary/data/default.csv"


def default_text() -> str:
    """The shipped term base's CSV text (read as package data, so it works when installed)."""
    return (resources.files("glossary") / "data" / "default.csv").read_text(encoding="utf-8-sig")


@functools.lru_cache(maxsize=1)
def load_default() -> Glossary:
    """The shipped term base (cached: it is immutable)."""
    return loads(default_text(), DEFAULT_NAME)
