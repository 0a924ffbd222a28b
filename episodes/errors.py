"""Catalog errors name what was looked for and what went wrong."""
from __future__ import annotations

from subtitles.errors import WulingError


class CatalogError(WulingError):
    """A catalog record or work folder that cannot be read, written or changed."""


class NotFound(CatalogError):
    """No such episode, asset or record."""
