"""Exact jargon recall of a transcript against its ground truth (benchmarks and tests).

Recall counts, for every glossary term occurrence in the reference, whether the
hypothesis has the term spelt exactly: a homophone is a miss.
"""
from __future__ import annotations

from collections import Counter

from glossary.match import find_terms
from glossary.termbase import Glossary


def term_counts(text: str, glossary: Glossary) -> Counter[str]:
    return Counter(m.surface for m in find_terms(text, glossary))


def term_recall(hypothesis: str, reference: str, glossary: Glossary) -> tuple[int, int]:
    """(reference term occurrences found exactly in the hypothesis, all of them)."""
    wanted, got = term_counts(reference, glossary), term_counts(hypothesis, glossary)
    return sum(min(n, got[term]) for term, n in wanted.items()), sum(wanted.values())
