"""How plain a text is: jargon density and a 0–100 plain-language score.

Contest organisers compare guide videos with this, so the formula is fixed and
documented here and in the README:

* ``chars``: Han characters only (letters, digits, punctuation and spaces not counted:
  pasted pinyin such as 區(qū) would otherwise inflate a text: the office's report
  has 1,591 Han characters but 3,000 letters, digits and characters);
* ``density``: glossary terms per 100 chars;
* each term occurrence weighs 1, a deprecated one 1.5, a forbidden one 3, and one
  already explained in place as 术语（白话） only 0.25;
* ``score = max(0, 100 − 10 × weighted terms per 100 chars)``, rounded.

So a text with no jargon scores 100; five unexplained terms per 100 characters
score 50; ten or more score 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from glossary.match import Match, find_terms
from glossary.termbase import Glossary

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WEIGHTS = {"preferred": 1.0, "deprecated": 1.5, "forbidden": 3.0}
EXPLAINED_WEIGHT = 0.25
PENALTY = 10.0


@dataclass(frozen=True)
class Score:
    chars: int
    terms: int
    density: float  # terms per 100 chars
    score: int  # 0 (all jargon) .. 100 (plain)
    matches: tuple[Match, ...]


def weight(match: Match) -> float:
    return EXPLAINED_WEIGHT if match.explained else WEIGHTS[match.term.status]


def score(text: str, glossary: Glossary) -> Score:
    """Score ``text``; e.g. a text of plain words only gives ``Score(..., score=100)``."""
    matches = tuple(m for m in find_terms(text, glossary) if m.term.mode != "keep")  # names
    chars = len(HAN.findall(text))
    per_100 = 100 / chars if chars else 0.0
    weighted = sum(map(weight, matches)) * per_100
    return Score(chars, len(matches), round(len(matches) * per_100, 2),
                 round(max(0.0, 100 - PENALTY * weighted)), matches)
