"""The term base: jargon terms, their plain wording, and a matcher built once.

A :class:`Glossary` is immutable: edits produce a new one (``with_terms``), so a
matcher built for it can never go stale.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Literal

import ahocorasick_rs

from glossary.errors import GlossaryError

if TYPE_CHECKING:
    from glossary.learned import LearnedCorrection

Status = Literal["preferred", "deprecated", "forbidden", "draft"]
Mode = Literal["replace", "annotate", "explain", "flag", "keep"]
STATUSES: tuple[str, ...] = ("preferred", "deprecated", "forbidden", "draft")
MODES: tuple[str, ...] = ("replace", "annotate", "explain", "flag", "keep")
# What a term names. Names of procedures, documents and bodies are what residents ask
# for at the counter, so they are kept and explained; a programme's name is never touched.
KINDS: tuple[str, ...] = ("procedure", "document", "body", "programme", "concept")
DEFAULT_MODES: dict[str, str] = {"procedure": "explain", "document": "explain",
                                 "body": "explain", "programme": "keep"}
LATER: tuple[str, ...] = ("term", "plain")  # what an explained term's later mentions use


def default_mode(kind: str) -> str:
    """The mode of a term whose ``mode`` cell is empty: ``default_mode("body") == "explain"``."""
    return DEFAULT_MODES.get(kind, "replace")


@dataclass(frozen=True)
class Term:
    """One jargon term, as comms staff write it in the CSV.

    ``status`` follows TBX usage for the *term*: preferred (the official name; explain
    it), deprecated (an outdated name), forbidden (must not reach the public); draft
    is a term proposed but not yet approved by the office, which nothing applies.
    ``mode`` says what rewriting does with it: replace, annotate as 术语（白话）, explain
    (the first mention in an episode annotated, later ones as ``later`` says), flag
    (report only) or keep (a name never touched, such as a programme's).

    Context rules (``only_after``, ``not_after``, ``only_before``, ``not_before``: words
    the term must or must not follow or precede) say where the plain wording does not
    fit; there the term stays as it is. ``pos`` is the part of speech (jieba's tags,
    e.g. ``n``, ``v``) the plain wording must have to stand where the term stood;
    ``example`` is a sentence using the term, checked by ``studio glossary validate``;
    ``source`` is where the definition comes from (a law and its article), if known;
    ``note`` is a reviewer's remark for the office (a doubt about an approved wording
    that only the office may change): kept with the term, applied by nothing.
    """

    term: str
    plain: str
    explanation: str = ""
    category: str = ""
    variants: tuple[str, ...] = ()
    status: Status = "preferred"
    mode: Mode = "replace"
    kind: str = ""
    later: str = "term"
    pos: str = ""
    only_after: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    only_before: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    example: str = ""
    source: str = ""
    note: str = ""

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Every spelling that counts as this term: the term first, then its variants."""
        return (self.term, *self.variants)

    @property
    def annotated(self) -> str:
        return f"{self.term}（{self.plain}）"

    @property
    def aside(self) -> str:
        """The explanation on its own, for a cue after the one naming the term:
        ``（行政复议：对政府决定的复查）``."""
        return f"（{self.term}：{self.plain}）"


@dataclass(frozen=True)
class Glossary:
    """Terms plus a leftmost-longest Aho-Corasick matcher over every spelling (built on creation).

    ``corrections`` are the heard forms staff taught the correction step
    (:mod:`glossary.learned`); they never change matching or rewriting. ``drafts``
    are terms waiting for the office's approval (status draft): written back with the
    term base, applied by nothing (matching, rewriting, correction all use ``terms``).
    """

    terms: tuple[Term, ...]
    source: str = ""
    corrections: tuple["LearnedCorrection", ...] = ()
    drafts: tuple[Term, ...] = ()
    _matcher: "Matcher" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_matcher", Matcher(self.terms, self.source))

    @property
    def matcher(self) -> "Matcher":
        return self._matcher

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, term: str) -> Term | None:
        return next((t for t in self.terms if term in t.surfaces), None)

    @property
    def all_terms(self) -> tuple[Term, ...]:
        """Approved terms and drafts, as the CSV holds them."""
        return self.terms + self.drafts

    def with_terms(self, terms: Iterable[Term]) -> "Glossary":
        """A new glossary with ``terms`` added, replacing entries of the same term
        (whether approved or draft: a draft added again stays one entry)."""
        new = {t.term: t for t in terms}
        merged = [t for t in self.all_terms if t.term not in new] + list(new.values())
        return Glossary(tuple(t for t in merged if t.status != "draft"), self.source,
                        self.corrections, tuple(t for t in merged if t.status == "draft"))

    def approve(self, names: Iterable[str]) -> "Glossary":
        """The glossary with the draft terms ``names`` approved (status preferred), so
        they are applied from now on; naming an approved term changes nothing, naming
        an unknown one is an error (a typo must not pass for an approval)."""
        names = set(names)
        unknown = sorted(names - {t.term for t in self.all_terms})
        if unknown:
            raise GlossaryError(f"no such term(s): {', '.join(unknown)}", self.source or None)
        return self.with_terms(replace(t, status="preferred") for t in self.drafts if t.term in names)

    def recognising(self, names: Iterable[str]) -> "Glossary":
        """The glossary that also recognises ``names``: spellings staff gave for one
        recording (its programme, its guests' departments), which the decoding prompt
        names, correction puts back when misheard (驱斯法局 → 区司法局) and lines keep
        whole. A name the term base already approved stays as it is; a draft's or an
        unknown name is added as a name to keep (mode keep): recognising a spelling
        staff typed needs nobody's approval, rewriting or explaining it would."""
        approved = {surface for term in self.terms for surface in term.surfaces}
        drafts = {surface: term for term in self.drafts for surface in term.surfaces}
        added = {}
        for name in (name.strip() for name in names):
            if name and name not in approved:
                draft = drafts.get(name)
                term = replace(draft, status="preferred", mode="keep") if draft else Term(name, "", mode="keep")
                added[term.term] = term
        return self.with_terms(added.values()) if added else self

    def with_corrections(self, corrections: Iterable["LearnedCorrection"]) -> "Glossary":
        """The same terms with ``corrections`` (the active ones) applied by the correction step."""
        return replace(self, corrections=tuple(c for c in corrections if c.active))


class Matcher:
    """Every Simplified spelling → its term, searched leftmost-longest (Aho-Corasick).

    ahocorasick-rs rather than pyahocorasick: with 2,000 terms pyahocorasick 2.3 was
    measured 3x slower on the benchmark text (bench/RESULTS.md); ahocorasick-rs also
    does leftmost-longest natively.
    """

    def __init__(self, terms: tuple[Term, ...], source: str = ""):
        from glossary.normalize import to_simplified  # normalize imports nothing of ours

        owners: dict[str, Term] = {}
        for term in terms:
            for surface in term.surfaces:
                key = to_simplified(surface)
                if not key:
                    raise GlossaryError(f"term {term.term!r} has an empty spelling", source or None)
                owners.setdefault(key, term)
        self.surfaces = tuple(owners)
        self.terms = tuple(owners.values())
        self.annotations = tuple(f"（{term.plain}）" for term in self.terms)  # what "explained" looks for
        self._aside_ends = tuple(f"：{term.plain}）" for term in self.terms)  # see in_aside
        self._automaton = ahocorasick_rs.AhoCorasick(
            self.surfaces, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def __len__(self) -> int:
        return len(self.surfaces)

    def in_aside(self, text: str, index: int, start: int, end: int) -> bool:
        """True when the match of spelling ``index`` at ``start:end`` is the name in an
        aside （术语：白话）, the explanation the plain track carried into a later cue."""
        return text[start - 1:start] == "（" and text.startswith(self._aside_ends[index], end)

    def explained(self, text: str, index: int, start: int, end: int) -> bool:
        """True when the match is explained where it stands: 术语（白话） or an aside."""
        return text.startswith(self.annotations[index], end) or self.in_aside(text, index, start, end)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(spelling index, start, end) of every leftmost-longest match in ``text``."""
        return self._automaton.find_matches_as_indexes(text)
