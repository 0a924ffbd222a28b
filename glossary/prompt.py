"""Bias the recogniser towards the episode's jargon without wrecking segmentation.

faster-whisper takes ``hotwords`` (prepended to every 30 s window) and an
``initial_prompt`` (the first window only). Measured on the shared clips with
whisper-base (bench/RESULTS.md): hotwords made the model append the hot words as
hallucinated text at the end of a window and raised CER, so they are off unless
asked for; a short prompt helps; a prompt listing the whole glossary raised CER and
collapsed segments. The prompt is written in Simplified Chinese with punctuation,
which also steers the model to Simplified, punctuated output; its marks are spelled
as the model writes them (:func:`subtitles.cleanup.model_spelling`: ``:`` not ``：``),
as the live captioner's prompt is, since greedy decoding garbles a full-width mark it
is primed with.
"""
from __future__ import annotations

from typing import Iterable

from glossary.match import find_terms
from glossary.termbase import Glossary
from subtitles.cleanup import model_spelling

MAX_TERMS = 8
MAX_PROMPT_CHARS = 48
# The office's two programme names: every episode says one of them, and whisper-base
# otherwise hears 政务 as 中午/众务 (measured in bench/RESULTS.md).
PROMPT_OPENING = "武陵政务直播间、政务服务导办视频："


def relevant_terms(glossary: Glossary, text_or_terms: str | Iterable[str]) -> list[str]:
    """The episode's terms in order of appearance, each once, in canonical spelling."""
    if isinstance(text_or_terms, str):
        names = [m.term.term for m in find_terms(text_or_terms, glossary)]
    else:
        # A word not (yet) in the glossary is still worth recognising: keep it as given.
        names = [term.term if (term := glossary.get(t)) else t for t in text_or_terms]
    return list(dict.fromkeys(names))


def heard_terms(glossary: Glossary, text: str) -> list[str]:
    """The terms a first transcript suggests the recording says, in order of appearance:
    those spelt right and those heard as something sounding like them (the suggestion
    level of :mod:`glossary.correct`). A second decoding pass names them in its prompt, so
    the prompt comes from the term base and what was heard, never from a script.

    >>> heard_terms(load_default(), "可以申请形成复议，也可以提起行政诉讼")  # doctest: +SKIP
    ['行政复议', '行政诉讼']
    """
    from glossary.correct import suggest

    found = [(m.start, m.term.term) for m in find_terms(text, glossary)]
    found += [(fix.start, fix.term) for fix in suggest(text, glossary)]
    return list(dict.fromkeys(term for _, term in sorted(found)))


def decoding_hints(glossary: Glossary, text_or_terms: str | Iterable[str],
                   max_terms: int = MAX_TERMS, max_prompt_chars: int = MAX_PROMPT_CHARS,
                   hotwords: bool = False) -> tuple[str | None, str | None]:
    """``(hotwords, initial_prompt)`` from an episode's script/description or term list.

    Hotwords are None unless ``hotwords=True`` (see the module note).

    >>> decoding_hints(load_default(), ["一网通办", "容缺受理"])  # doctest: +SKIP
    (None, '武陵政务直播间、政务服务导办视频:一网通办、容缺受理。')
    """
    terms = relevant_terms(glossary, text_or_terms)[:max_terms]
    while terms and len(_prompt(terms)) > max_prompt_chars:
        terms.pop()
    if not terms:
        return None, None
    return (" ".join(terms) if hotwords else None), _prompt(terms)


def _prompt(terms: list[str]) -> str:
    return model_spelling(PROMPT_OPENING + "、".join(terms) + "。")
