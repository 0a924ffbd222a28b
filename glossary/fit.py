"""Does a rewrite fit where it lands? Whole words, clean seams, context rules, no echo.

Rewriting by string match alone broke sentences: 许可事项 + 实行 read 「要审批的事实行」
(事实 across the seam), 「向人民法院提起告政府的官司」 (提起 takes 诉讼, not a
clause), 「申请免费律师帮助 由政府指派律师免费代理」 (says it twice). Each check
here is general; what is particular to a term (the words it must or must not
follow or precede) is term-base data (:class:`glossary.termbase.Term`).

Words are those of the line breaker (:func:`subtitles.linebreak.atoms`, jieba), so
a term is replaced only where line breaking would see a whole word too.
"""
from __future__ import annotations

import re

from glossary.termbase import Term
from subtitles.linebreak import atoms, word_frequencies

SEAM_CONTEXT = 6  # characters either side of a rewrite that decide how it reads
LONGEST_SEAM_WORD = 4
# jieba's dictionary also holds rare compounds no reader would see (先容: 3, against
# 再三: 628, 事实: 4593); a word across an edge matters from this frequency on.
MIN_FREQUENCY = 100
_WORD_CHAR = re.compile(r"[\w\u3400-\u9fff]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def boundaries(text: str) -> frozenset[int]:
    """Offsets in ``text`` where a word may start or end (jieba's words, and both sides
    of every punctuation mark or space, which the line breaker glues to a word)."""
    spans = _atom_spans(text)
    return frozenset((0, *spans, *spans.values(), *(
        i + side for i, char in enumerate(text) if not _WORD_CHAR.match(char) for side in (0, 1))))


def _atom_spans(text: str) -> dict[int, int]:
    """Start → end of every word the line breaker sees in ``text``."""
    spans, position = {}, 0
    for atom in atoms(text):
        spans[position] = position + len(atom)
        position += len(atom)
    return spans


def seam_words(text: str, seam: int) -> set[tuple[int, int]]:
    """Spans of the dictionary words of ``text`` that run across offset ``seam``."""
    frequencies = word_frequencies()
    return {(start, end)
            for start in range(max(0, seam - LONGEST_SEAM_WORD + 1), seam)
            for end in range(seam + 1, min(len(text), start + LONGEST_SEAM_WORD) + 1)
            if frequencies.get(text[start:end], 0) >= MIN_FREQUENCY}


def whole_word(before: str, word: str, after: str) -> bool:
    """True unless an edge of ``word`` (between ``before`` and ``after``) falls inside a
    word: a common dictionary word runs across it *and* the segmenter does not cut
    there (再三包括 holds no 三包). Both, because jieba glues a term it does not know to
    its neighbour (再容缺受理). The segmenter runs only when a word crosses an edge."""
    text = before + word + after
    crossed = [edge for edge in (len(before), len(before) + len(word)) if seam_words(text, edge)]
    return not crossed or all(edge in boundaries(text) for edge in crossed)


def seam_problem(before: str, new: str, after: str) -> str:
    """Why ``new`` put between ``before`` and ``after`` reads wrongly ('' when it reads
    well): a common word that now runs across an edge and swallows a whole word on one
    side, so the sentence reads two ways (要审批的事|实行 reads 事实; but 可以|外地 does
    not read 以外, which would split two words), or one the segmenter reads across the
    edge (网上一站办|理业务 reads 办理)."""
    now = before + new + after
    for seam in (len(before), len(before) + len(new)):
        crossing = seam_words(now, seam)
        if not crossing:
            continue
        spans = _atom_spans(now)
        fused = sorted(now[a:b] for a, b in crossing if spans.get(a) == seam or spans.get(seam) == b)
        if fused:
            return f"would read as {'/'.join(fused)} across the edge"
        if seam not in boundaries(now):
            return "would not stand as a word of its own there"
    return ""


def context_problem(term: Term, before: str, after: str) -> str:
    """Which of the term's context rules (term-base data) the place breaks, or ''.

    ``before`` is the text before the term, ``after`` the text after it.
    """
    preceding, following = before.rstrip(" "), after.lstrip(" ")
    if term.only_after and not preceding.endswith(term.only_after):
        return f"only after {'/'.join(term.only_after)}"
    if hit := next((w for w in term.not_after if preceding.endswith(w)), None):
        return f"not after {hit}"
    if term.only_before and not following.startswith(term.only_before):
        return f"only before {'/'.join(term.only_before)}"
    if hit := next((w for w in term.not_before if following.startswith(w)), None):
        return f"not before {hit}"
    return ""


def echo_problem(plain: str, term: str, sentence: str) -> str:
    """Which words of ``plain`` the rest of the ``sentence`` already says, when they are
    half its words or more ('' otherwise): 「申请免费律师帮助 由政府指派律师免费代理」
    says 免费 and 律师 twice; 「材料不齐全，可以先收件后补材料」 shares one word of three.
    Words are those of two Han characters or more that the term itself does not hold."""
    words = [word for word in atoms(plain) if len(_HAN.findall(word)) >= 2 and word not in term]
    said = [word for word in words if word in sentence]
    return f"says {'/'.join(said)} twice" if said and 2 * len(said) >= len(words) else ""


def clause_of(before: str, after: str) -> tuple[str, str]:
    """The parts of ``before`` and ``after`` in the same sentence as what stands between."""
    opening = max((m.end() for m in _SENTENCE_END.finditer(before)), default=0)
    closing = _SENTENCE_END.search(after)
    return before[opening:], after[:closing.start() if closing else len(after)]
