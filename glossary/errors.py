"""Glossary errors carry the file, line and problem (see :class:`subtitles.errors.WulingError`)."""
from __future__ import annotations

from subtitles.errors import WulingError


class GlossaryError(WulingError):
    """A term base that cannot be read or a term that breaks a rule."""
