"""Check each term's plain wording in its example sentence (``studio glossary validate``).

A plain wording is judged where it lands, not on its own: the term's ``example`` is
rewritten with that term alone, in ``replace`` mode, by the same code as the plain
track (:func:`glossary.rewrite.rewrite`), so every check rewriting makes there (whole
words, seams that read one way, no echo) is made here too; the term's own context
rules are left out, since where they forbid the plain wording the term stays.
A wording the rewrite would refuse in the office's own example is flagged, as is an
example that does not use the term and a plain wording whose last word (its head, in
Chinese) is not of the part of speech the term's ``pos`` asks for.
"""
from __future__ import annotations

from dataclasses import replace

from glossary.io import term_from_row
from glossary.rewrite import rewrite
from glossary.rows import CONTEXT_COLUMNS, Row
from glossary.termbase import Glossary, Term
from glossary.validate import Problem
from subtitles.linebreak import word_frequencies

NO_RULES = {column: () for column in CONTEXT_COLUMNS}


def example_problems(rows: list[Row]) -> list[Problem]:
    """Problems with the plain wordings of validated ``rows`` in their examples,
    drafts included, each with its file and line."""
    return [Problem(row.path, row.line, message)
            for row in rows for message in term_problems(term_from_row(row))]


def term_problems(term: Term) -> list[str]:
    """What is wrong with ``term``'s plain wording in its example ([] when nothing is).

    >>> term_problems(Term("许可事项", "要审批的事", example="部分许可事项实行告知承诺制。"))
    ["plain wording '要审批的事' does not fit the example: would read as 事实 across the edge"]
    """
    problems = []
    if term.pos and term.plain and not _head_is(term.plain, term.pos):
        problems.append(f"plain wording {term.plain!r} does not end in a word of part of "
                        f"speech {term.pos!r}, as the term is used")
    if not term.example or not term.plain or term.mode == "keep":
        return problems
    # The term's own context rules are the office's decisions, not faults: left out here.
    alone = Glossary((replace(term, status="preferred", mode="replace", **NO_RULES),))
    result = rewrite(term.example, alone)
    if not result.changes and not result.skipped:
        problems.append(f"the example {term.example!r} does not use {term.term}")
    problems += [f"plain wording {term.plain!r} does not fit the example: {skip.reason}"
                 for skip in result.skipped]
    return problems


def _head_is(plain: str, pos: str) -> bool:
    """True when the last word of ``plain`` is tagged ``pos`` (``n`` also takes nr, ns…)
    by jieba's tagger, which shares the line breaker's dictionary."""
    word_frequencies()  # loads that dictionary quietly, as line breaking does
    import jieba.posseg

    tags = [pair.flag for pair in jieba.posseg.lcut(plain) if pair.word.strip()]
    return bool(tags) and tags[-1].startswith(pos)
