"""Where a line of glossary-aware subtitle text may break.

The subtitles package keeps jieba's words whole but knows no glossary; jieba cuts many
terms of the trade in two (跨省 / 通办, 综合 / 行政执法) and plain wordings too (相关事一次
/ 办完). :func:`line_units` is what callers hand the line breaker, the segmenter and
``subtitles check`` as the words to keep whole.
"""
from __future__ import annotations

import functools

from glossary.normalize import to_simplified
from glossary.termbase import Glossary
from subtitles.cue import Cue
from subtitles.linebreak import split_words
from subtitles.profiles import Profile
from subtitles.text import join_lines


@functools.lru_cache(maxsize=8)
def line_units(glossary: Glossary) -> frozenset[str]:
    """Every spelling of every term (Simplified), its plain wording and its annotated
    form 术语（白话）: what no line break may split.

    >>> "跨省通办" in line_units(load_default())  # doctest: +SKIP
    True
    """
    units = set()
    for term in glossary.terms:
        units.update(to_simplified(surface) for surface in term.surfaces)
        units.update((term.plain, term.annotated))
    return frozenset(unit for unit in units if len(unit) > 1)


def cue_text(cue: Cue, profile: Profile, units: frozenset[str]) -> str:
    """The cue's lines as one text to rewrite and lay out again.

    A break between two words becomes a space: display style shows a clause mark as a
    space or as the line break itself, so the pause survives the rewrite (「申请行政复议 /
    也可以」 must not come back as 「申请上级复查也可以」). A break inside a word or a
    unit (which an older file may have) joins it up, so the term still matches.
    """
    text = cue.lines[0] if cue.lines else ""
    for line in cue.lines[1:]:
        inside = split_words((text, line), profile, units)
        text = join_lines([text, line]) if inside else f"{text} {line}"
    return text
