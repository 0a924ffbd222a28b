"""Text cells a spreadsheet will open: contest exports, the dashboard CSV, the term base.

Excel, WPS and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (a leading tab or carriage return can hide one), so a title or a
glossary entry typed by anyone could run ``=HYPERLINK(…)`` on a staff member's
machine (CSV or formula injection). The guard lives in ``subtitles``, the innermost
package, so the catalog's exports and the glossary share it without depending on
each other.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value: object) -> bool:
    """True for text a spreadsheet would run as a formula.

    >>> starts_formula("=1+1"), starts_formula("社保卡"), starts_formula(42)
    (True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def spreadsheet_safe(value):
    """Free text that a spreadsheet must never run as a formula gets a leading quote
    (which spreadsheets show as text); other values pass unchanged.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("政务服务"), spreadsheet_safe(7)
    ("'=HYPERLINK(1)", '政务服务', 7)
    """
    return "'" + value if starts_formula(value) else value
