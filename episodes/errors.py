"""Catalog errors name what was looked for and what went wrong."""
from __future__ import annotations

from subtitles.errors import ExitCode, WulingError


class CatalogError(WulingError):
    """A catalog record or work folder that cannot be read, written or changed."""


class NotFound(CatalogError):
    """No such episode, asset or record."""


class DatabaseUnavailable(CatalogError):
    """The catalog database cannot be reached (down, wrong address, refused login): no
    fault of the input, so the plain failure exit code."""

    exit_code = ExitCode.FAILURE
