"""Bias the recogniser towards the episode's jargon without wrecking segmentation.

faster-whisper takes ``hotwords`` (prepended to every 30 s window) and an
``initial_prompt`` (the first window only). Both are kept short on purpose: a long
prompt was measured to make whisper-base give up sentence segments and return
30-second blobs (bench/RESULTS.md). The prompt is written in Simplified Chinese,
which also steers the model away from Traditional output.
"""
from __future__ import annotations

from typing import Iterable

from glossary.match import find_terms
from glossary.termbase import Glossary

MAX_TERMS = 8
MAX_PROMPT_CHARS = 48
PROMPT_OPENING = "政务服务讲解："


def relevant_terms(glossary: Glossary, text_or_terms: str | Iterable[str]) -> list[str]:
    """The episode's terms in order of appearance, each once, in canonical spelling."""
    if isinstance(text_or_terms, str):
        names = [m.term.term for m in find_terms(text_or_terms, glossary)]
    else:
        # A word not (yet) in the glossary is still worth recognising: keep it as given.
        names = [term.term if (term := glossary.get(t)) else t for t in text_or_terms]
    return list(dict.fromkeys(names))


def decoding_hints(glossary: Glossary, text_or_terms: str | Iterable[str],
                   max_terms: int = MAX_TERMS,
                   max_prompt_chars: int = MAX_PROMPT_CHARS) -> tuple[str | None, str | None]:
    """``(hotwords, initial_prompt)`` from an episode's script/description or term list.

    >>> decoding_hints(load_default(), ["一网通办", "容缺受理"])  # doctest: +SKIP
    ('一网通办 容缺受理', '政务服务讲解：一网通办、容缺受理。')
    """
    terms = relevant_terms(glossary, text_or_terms)[:max_terms]
    while terms and len(_prompt(terms)) > max_prompt_chars:
        terms.pop()
    if not terms:
        return None, None
    return " ".join(terms), _prompt(terms)


def _prompt(terms: list[str]) -> str:
    return PROMPT_OPENING + "、".join(terms) + "。"
