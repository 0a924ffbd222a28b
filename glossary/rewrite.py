"""Rewrite jargon into plain language: replace, annotate as 术语（白话）, explain, or only flag.

A rewrite is made only where it fits (:mod:`glossary.fit`): the term is a whole word
of the sentence, the plain wording reads as words of its own where it lands, the
term's context rules allow it, and the sentence does not already say it; otherwise
the official term stays and the place is reported in ``skipped``. In ``explain``
mode the first mention keeps the official name and adds the plain wording
(一网通办（网上一站办）); pass the terms already explained earlier in the episode as
``introduced`` and later mentions follow the term's ``later`` choice.

The output is the normalised (Simplified, pinyin-free) text. Rewriting twice gives
the same text as rewriting once: replaced terms are gone (validation forbids a
plain wording that contains a term) and annotated ones are recognised by their
（白话） and left as they are, as is the name in an aside （术语：白话） that the plain
track puts in the cue after one too short to explain it.

Staff may keep the official wording at chosen places (保留规范说法): a :class:`Place`
names one occurrence of a term in a text (the term and which of its occurrences,
counted from 0), which stays valid when the text around it is edited. The review
workspace stores the places with the revision and passes them back here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Iterable, NamedTuple

from glossary.fit import (SEAM_CONTEXT, clause_of, context_problem, echo_problem, seam_problem,
                          whole_word)
from glossary.match import locate
from glossary.normalize import normalize
from glossary.termbase import Glossary, Mode, Term

CONTEXT = 40  # characters either side of a term that its word checks read
# What a sentence already says is read up to its end, bounded only so that a text
# without sentence ends stays linear; a window any shorter would see different words
# once rewriting changed the lengths around it, and rewriting again would differ.
SENTENCE = 500


class Change(NamedTuple):
    """One rewrite: the span of the *input* (normalised) text and what replaced it."""

    start: int
    end: int
    before: str
    after: str
    term: str
    mode: str
    occurrence: int = 0  # which occurrence of ``term`` in the text, from 0: see :class:`Place`
    introduces: bool = False  # the first, explained mention of an ``explain`` term

    @property
    def place(self) -> "Place":
        return Place(self.term, self.occurrence)


class Skipped(NamedTuple):
    """A rewrite that did not fit where it would land, and why (the term stayed)."""

    change: Change
    reason: str


class Place(NamedTuple):
    """The ``occurrence``-th (from 0) match of ``term`` (its headword) in a text."""

    term: str
    occurrence: int


@dataclass(frozen=True)
class Rewrite:
    text: str
    changes: tuple[Change, ...]
    kept: tuple[Change, ...] = ()  # what would have changed at the places asked to keep
    skipped: tuple[Skipped, ...] = ()  # rewrites that did not fit where they would land
    introduced: tuple[str, ...] = ()  # ``explain`` terms explained for the first time here


def replacement(term: Term, explained: bool, mode: Mode, introduced: bool = False) -> str | None:
    """What an occurrence of ``term`` becomes in ``mode``, or None when it stays as it is.

    ``introduced``: an ``explain`` term was already explained earlier in the episode.
    """
    if mode == "replace" or (mode == "explain" and introduced and term.later == "plain"):
        return term.plain
    if mode in ("annotate", "explain") and not explained and not introduced:
        return term.annotated
    return None


def rewrite(text: str, glossary: Glossary, mode: Mode | None = None,
            keep: Collection[Place] = (), introduced: Collection[str] = ()) -> Rewrite:
    """Apply the glossary; ``mode`` overrides every term's own mode for this run, except
    that a ``keep`` term (a programme's name) is never rewritten.

    Replacing an already annotated 术语（白话） replaces the whole of it. The places in
    ``keep`` stay as written; each is reported in ``kept`` with what it would have become.
    ``introduced`` names the ``explain`` terms already explained earlier in the episode.

    >>> rewrite("可以容缺受理", load_default()).text  # doctest: +SKIP
    '可以收件后补材料'
    >>> rewrite("可以容缺受理", load_default(), keep={Place("容缺受理", 0)}).text  # doctest: +SKIP
    '可以容缺受理'
    >>> rewrite("可以一网通办，也可以一网通办", load_default()).text  # doctest: +SKIP
    '可以一网通办（网上一站办），也可以一网通办'
    """
    norm = normalize(text)
    terms, annotations = glossary.matcher.terms, glossary.matcher.annotations
    found = locate(norm, glossary)
    outside = _without_terms(norm, found)
    pieces, changes, kept, skipped, position, seen = [], [], [], [], 0, {}
    said_pieces: list[str] = []  # the same text without terms or rewrites: see _without_terms
    known = set(introduced)
    for k, (i, start, end) in enumerate(found):
        term = terms[i]
        term_mode = term.mode if term.mode == "keep" else mode or term.mode
        occurrence = seen[term.term] = seen.get(term.term, -1) + 1
        if glossary.matcher.in_aside(norm, i, start, end):  # an explanation itself: left whole
            if term_mode == "explain":
                known.add(term.term)
            continue
        explained = norm.startswith(annotations[i], end)
        if explained and term_mode == "explain":
            known.add(term.term)
        after = replacement(term, explained, term_mode, term.term in known)
        if after is None:
            continue
        if explained and after == term.plain:
            end += len(annotations[i])
        change = Change(start, end, norm[start:end], after, term.term, term_mode, occurrence,
                        term_mode == "explain" and after == term.annotated)
        if change.place in keep:
            kept.append(change)
            continue
        written = _tail(pieces, norm[position:start])
        said = _tail(said_pieces, outside[position:start], SENTENCE)
        upto = found[k + 1][1] if k + 1 < len(found) else len(norm)
        if problem := _misfit(change, term, (written, norm[end:min(upto, end + CONTEXT)],
                                             norm[end:end + CONTEXT]),
                              (said, outside[end:end + SENTENCE])):
            skipped.append(Skipped(change, problem))
            continue
        pieces += (norm[position:start], after)
        said_pieces += (outside[position:start], "|" * len(after))
        changes.append(change)
        if change.introduces:
            known.add(term.term)
        position = end
    pieces.append(norm[position:])
    return Rewrite("".join(pieces), tuple(changes), tuple(kept), tuple(skipped),
                   tuple(c.term for c in changes if c.introduces))


def kept_places(text: str, wording: str, glossary: Glossary) -> frozenset[Place] | None:
    """The places where ``wording`` keeps the official term that rewriting ``text``
    would replace, or None when ``wording`` is not ``text`` rewritten with some places
    kept (staff wrote a wording of their own).

    The review workspace stores a cue's 保留规范说法 choice as the wording it shows;
    read back as places, the choice can be applied where the cue is rewritten along
    with the rest of the episode (its asides, its explain mentions) rather than
    replacing the cue whole.

    >>> kept_places("窗口可以容缺受理", "窗口可以容缺受理", load_default())  # doctest: +SKIP
    frozenset({Place(term='容缺受理', occurrence=0)})
    """
    cursor, position, places = 0, 0, set()  # in ``wording``, in the normalised ``text``
    for change in rewrite(text, glossary).changes:
        cursor += change.start - position
        keep = wording.startswith(change.before, cursor) and not wording.startswith(change.after, cursor)
        if keep:
            places.add(change.place)
        cursor, position = cursor + len(change.before if keep else change.after), change.end
    kept = frozenset(places)
    return kept if rewrite(text, glossary, keep=kept).text == wording else None


def rewrite_texts(texts: Iterable[str], glossary: Glossary) -> list[str]:
    """The plain wording of an episode's texts, in order, as one track: an ``explain``
    term is explained at its first mention in the episode, not in every cue.

    >>> rewrite_texts(["可以一网通办", "也可以一网通办"], load_default())  # doctest: +SKIP
    ['可以一网通办（网上一站办）', '也可以一网通办']
    """
    introduced: set[str] = set()
    plain = []
    for text in texts:
        result = rewrite(text, glossary, introduced=introduced)
        introduced.update(result.introduced)
        plain.append(result.text)
    return plain


def _without_terms(norm: str, found: list[tuple[int, int, int]]) -> str:
    """``norm`` with every term occurrence blanked out (same length), so that what a
    term's neighbours "already say" never depends on terms that may be rewritten."""
    pieces, position = [], 0
    for _, start, end in found:
        pieces += (norm[position:start], "|" * (end - start))
        position = end
    return "".join(pieces) + norm[position:]


def _tail(pieces: list[str], last: str, size: int = CONTEXT) -> str:
    """The last ``size`` characters written so far, ``last`` included."""
    tail = last
    for piece in reversed(pieces):
        if len(tail) >= size:
            break
        tail = piece + tail
    return tail[-size:]


def _misfit(change: Change, term: Term, text: tuple[str, str, str],
            said: tuple[str, str]) -> str:
    """Why ``change`` does not fit ('' when it does).

    ``text`` is what stands before it (as rewritten so far), after it up to the next
    term (which may yet be rewritten, so its edges are not read), and after it as
    given (for the term's context rules); so rewriting the result again finds the same
    places (rewriting is idempotent). ``said`` is the text before and after without
    any term or rewrite: what the sentence says in its own words.
    """
    written, upto, rest = text
    if not whole_word(written[-SEAM_CONTEXT:], change.before, upto[:SEAM_CONTEXT]):
        return f"{change.before} is not a whole word here"
    before, after = clause_of(*said)
    if term.plain in change.after and (echo := echo_problem(term.plain, term.term, before + after)):
        return echo
    if change.after != term.plain:  # annotated: the term itself stays where it was
        return ""
    return context_problem(term, written, rest) or seam_problem(
        written[-SEAM_CONTEXT:], change.after, upto[:SEAM_CONTEXT])
