"""What the review workspace shows beside each cue, computed on the server so there is
one implementation of every rule: the plain-language rewrite with each replacement
and its 保留规范说法 choice, glossary suggestions where a stretch sounds like a term,
the unsure words of the machine transcript, and broadcast-rule violations of both
tracks. Also the reading of cues posted by the browser, with problems in Chinese.

Text stays plain strings here: templates escape it and the page's script puts it in
with ``textContent``, so ``<b>`` or ``{\\pos(1,2)}`` typed by staff is shown as typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from glossary import Glossary
from glossary.correct import suggest
from glossary.lines import line_units
from glossary.normalize import normalize
from glossary.rewrite import Place, kept_places, rewrite
from subtitles.check import check
from subtitles.cue import Cue
from subtitles.linebreak import break_lines
from subtitles.profiles import Profile
from subtitles.review import MAX_CUE_CHARS, CueProblem, PrivateSpan, Revision
from subtitles.transcript import Word
from subtitles.uncertain import marks

MAX_CUES = 5000  # a long call-in show has about 1,500
RULE_NAMES = {"empty": "没有文字", "lines": "行数超过上限", "line-width": "一行太长",
              "min-duration": "显示时间太短", "max-duration": "显示时间太长",
              "cps": "语速太快（每秒字数超标）", "overlap": "与上一句时间重叠",
              "gap": "与上一句间隔太短", "split-word": "词语被拆到两行"}
PROBLEM_TEMPLATES = {"times": "第 {cue} 句的时间不对：结束必须晚于开始，且不能早于 0 秒。",
                     "overlap": "第 {cue} 句的开始时间早于上一句的结束时间（时间重叠）。",
                     "length": f"第 {{cue}} 句太长：一句字幕最多 {MAX_CUE_CHARS} 个字。"}


class BadCues(ValueError):
    """Posted cues the workspace cannot save; the message is for staff, in Chinese."""

    def __init__(self, message: str, cue: int | None = None):
        super().__init__(message)
        self.cue = cue


def problem_message(problem: CueProblem) -> str:
    return PROBLEM_TEMPLATES[problem.rule].format(cue=problem.cue)


def cues_from_json(items: Any) -> tuple[Cue, ...]:
    """Cues from ``[{"start_ms": 0, "end_ms": 900, "text": "第一行\\n第二行"}, …]``.

    Only the shape is checked here (whole numbers, strings, a sane count); the order
    of times and the length of text are :func:`subtitles.review.validate_cues`' to judge.
    """
    if not isinstance(items, list) or not items:
        raise BadCues("没有收到字幕：至少要有一句。")
    if len(items) > MAX_CUES:
        raise BadCues(f"字幕句数太多（{len(items)} 句，最多 {MAX_CUES} 句）。")
    cues = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BadCues(f"第 {number} 句的格式不对。", number)
        start, end, text = item.get("start_ms"), item.get("end_ms"), item.get("text")
        if not (_whole(start) and _whole(end)) or not isinstance(text, str):
            raise BadCues(f"第 {number} 句缺少时间或文字，或时间不是整数毫秒。", number)
        if len(text) > MAX_CUE_CHARS * 2:  # refused before any text work is done on it
            raise BadCues(PROBLEM_TEMPLATES["length"].format(cue=number), number)
        lines = tuple(line.strip() for line in text.replace("\r", "").split("\n") if line.strip())
        cues.append(Cue(start, end, lines or ("",)))
    return tuple(cues)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -2**31 < value < 2**31


def private_from_json(items: Any) -> tuple[PrivateSpan, ...]:
    if not isinstance(items, list) or len(items) > MAX_CUES:
        raise BadCues("隐私片段的格式不对。")
    spans = []
    for item in items:
        start, end = (item.get("start_ms"), item.get("end_ms")) if isinstance(item, dict) else (None, None)
        if not (_whole(start) and _whole(end)) or start < 0 or end <= start:
            raise BadCues("隐私片段的时间不对：结束必须晚于开始，且不能早于 0 秒。")
        spans.append(PrivateSpan(start, end, str(item.get("note", ""))[:200]))
    return tuple(spans)


@dataclass(frozen=True)
class PlainPart:
    """A piece of a cue's plain-language text: unchanged text, or one replacement."""
    text: str
    before: str = ""  # the official wording the glossary replaced; "" for unchanged text
    term: str = ""
    occurrence: int = 0  # which match of ``term`` in the cue (see glossary.rewrite.Place)

    def as_json(self) -> dict:
        return {"text": self.text, "before": self.before, "term": self.term}


def plain_parts(text: str, terms: Glossary) -> list[PlainPart]:
    """The plain rewrite of ``text`` cut at every replacement, so each can be shown
    and individually kept as the official wording."""
    norm, parts, position = normalize(text), [], 0
    for change in rewrite(text, terms).changes:
        if change.start > position:
            parts.append(PlainPart(norm[position:change.start]))
        parts.append(PlainPart(change.after, change.before, change.term, change.occurrence))
        position = change.end
    if position < len(norm):
        parts.append(PlainPart(norm[position:]))
    return parts


def plain_text(text: str, parts: Sequence[PlainPart], kept: Sequence[bool], terms: Glossary) -> str:
    """The plain rewrite of ``text`` with the replacements flagged in ``kept`` (one flag
    per replacement in ``parts``) left as the official wording."""
    replaced = [part for part in parts if part.before]
    places = {Place(part.term, part.occurrence) for part, keep in zip(replaced, kept) if keep}
    return rewrite(text, terms, keep=places).text if places else "".join(part.text for part in parts)


def kept_flags(parts: Sequence[PlainPart], places: frozenset[Place] | None) -> list[bool]:
    """Which replacements in ``parts`` are kept as the official term, given the places
    a stored wording keeps (:func:`glossary.rewrite.kept_places`; None: none)."""
    return [Place(part.term, part.occurrence) in (places or ()) for part in parts if part.before]


class Assistant:
    """The per-text work of :func:`analyse` for one term base and profile, cached by text:
    the page posts every cue of the episode after each pause in typing, and only the
    edited cue's text is new (a 1,500-cue episode: seconds uncached, milliseconds cached)."""

    def __init__(self, terms: Glossary, profile: Profile, size: int = 20_000):
        self.terms, self.profile, self.units = terms, profile, line_units(terms)
        self.parts = lru_cache(size)(lambda text: tuple(plain_parts(text, terms)))
        self.suggestions = lru_cache(size)(lambda text: suggest(text, terms))
        self.lines = lru_cache(size)(lambda text: break_lines(text, profile, self.units) or ("",))
        self.kept = lru_cache(size)(lambda text, wording: kept_places(text, wording, terms))

    def plain(self, text: str, kept: Sequence[bool]) -> str:
        return plain_text(text, self.parts(text), kept, self.terms)


def plain_choices(cues: Sequence[Cue], keep: Any, assistant: Assistant) -> tuple[tuple[str, str], ...]:
    """``keep`` as posted (``{"3": [true, false]}``: per cue index, a flag per
    replacement) turned into the (verbatim text, plain text) pairs a revision stores."""
    if not isinstance(keep, dict):
        raise BadCues("保留规范说法的选择格式不对。")
    choices = []
    for index, flags in keep.items():
        if not (isinstance(index, str) and index.isdecimal() and int(index) < len(cues)
                and isinstance(flags, list) and any(flag is True for flag in flags)):
            continue
        text = cues[int(index)].text
        choices.append((text, assistant.plain(text, [flag is True for flag in flags])))
    return tuple(choices)


def analyse(cues: Sequence[Cue], revision_choices: Sequence[tuple[str, str]], assistant: Assistant,
            unsure: Sequence[Word]) -> list[dict]:
    """Per cue: plain parts and kept flags, suggestions, unsure marks and the rule
    violations of both tracks (each track checked as a whole, so overlaps count)."""
    chosen, profile = dict(revision_choices), assistant.profile
    parts = [assistant.parts(cue.text) for cue in cues]
    flags = [kept_flags(p, assistant.kept(cue.text, chosen[cue.text]) if cue.text in chosen else None)
             for p, cue in zip(parts, cues)]
    plain_cues = [Cue(cue.start_ms, cue.end_ms, assistant.lines(assistant.plain(cue.text, f)))
                  for cue, f in zip(cues, flags)]
    verbatim_problems = _by_cue(check(cues, profile, assistant.units))
    plain_problems = _by_cue(check(plain_cues, profile, assistant.units))
    return [{"plain": [part.as_json() for part in p], "kept": f,
             "suggestions": [{"start": fix.start, "end": fix.end, "before": fix.before,
                              "after": fix.after, "term": fix.term}
                             for fix in assistant.suggestions(cue.text)],
             "marks": [{"start": m.start, "end": m.end, "probability": round(m.probability, 2)}
                       for m in marks(cue, unsure)],
             "violations": verbatim_problems.get(number, []),
             "plain_violations": plain_problems.get(number, [])}
            for number, (cue, p, f) in enumerate(zip(cues, parts, flags), start=1)]


def _by_cue(violations) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for violation in violations:
        found.setdefault(violation.cue, []).append(RULE_NAMES[violation.rule])
    return found


def revision_json(revision: Revision | None) -> dict | None:
    if revision is None:
        return None
    return {"number": revision.number, "author": revision.author, "created_at": revision.created_at,
            "source": revision.source}


def cues_json(cues: Sequence[Cue]) -> list[dict]:
    return [{"start_ms": c.start_ms, "end_ms": c.end_ms, "text": "\n".join(c.lines)} for c in cues]
