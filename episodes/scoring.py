"""Fair rankings and balanced judging loads, as pure functions over plain data.

Raw score: each judge's weighted total rescaled to 0–100 from the criterion bounds,
averaged over the judges who reviewed the submission.

Normalised score: a harsh or lenient judge shifts every mark they give, so each mark
becomes a z-score against that judge's own marks on that criterion (mean 0, sd 1;
a judge who gave one value to everything contributes 0). The weighted mean of a
review's z-scores, averaged over its judges, is then rescaled so the best submission
of the round gets 100 and the weakest 0 (50 for all when they are level).

A z-score needs enough marks from each judge to say what "harsh" means: below
``MIN_ENTRIES_PER_JUDGE`` the round is ranked by raw score and has no normalised one.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean, pstdev
from typing import Iterable, Mapping

from episodes.errors import CatalogError

TIE_DECIMALS = 2
MIN_ENTRIES_PER_JUDGE = 5
"""Fewest entries every judge of a round must have scored before scores are normalised.

A judge's mean and spread come from their own marks; from two entries the better one
always gets +1 and the worse -1 (so normalised scores are always 100 and 0), and from
three or four one outlier decides the scale. Five is the fewest where one judge's
spread says something about their strictness rather than about the entries drawn."""


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    weight: int
    min_score: float
    max_score: float


@dataclass(frozen=True)
class Mark:
    """One submitted score: ``judge`` gave ``value`` to ``submission`` on ``criterion``."""
    judge: int
    submission: int
    criterion: int
    value: float


@dataclass(frozen=True)
class Ranked:
    """``normalised`` is None when the round is ranked by raw score (too few entries per judge)."""
    submission: int
    rank: int
    normalised: float | None
    raw: float
    judges: int
    tied: bool

    @property
    def score(self) -> float:
        """The score the ranking (and a threshold) is based on."""
        return self.raw if self.normalised is None else self.normalised


def raw_totals(marks: Iterable[Mark], criteria: Iterable[CriterionSpec]) -> dict[tuple[int, int], float]:
    """Each (judge, submission) review's weighted total on a 0–100 scale."""
    spec = {c.id: c for c in criteria}
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for mark in marks:
        c = spec[mark.criterion]
        totals[mark.judge, mark.submission] += c.weight * (mark.value - c.min_score) / (c.max_score - c.min_score)
    return dict(totals)


def judge_z_totals(marks: Iterable[Mark], criteria: Iterable[CriterionSpec]) -> dict[tuple[int, int], float]:
    """Each review's weighted mean of per-judge, per-criterion z-scores."""
    weight = {c.id: c.weight / 100 for c in criteria}
    marks = list(marks)
    by_judge_criterion: dict[tuple[int, int], list[float]] = defaultdict(list)
    for mark in marks:
        by_judge_criterion[mark.judge, mark.criterion].append(mark.value)
    stats = {key: (fmean(values), pstdev(values)) for key, values in by_judge_criterion.items()}
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for mark in marks:
        mean, sd = stats[mark.judge, mark.criterion]
        z = (mark.value - mean) / sd if sd > 0 else 0.0
        totals[mark.judge, mark.submission] += weight[mark.criterion] * z
    return dict(totals)


def fewest_entries_per_judge(marks: Iterable[Mark]) -> int:
    """How many entries the judge who scored fewest scored (0 without marks)."""
    entries: dict[int, set[int]] = defaultdict(set)
    for mark in marks:
        entries[mark.judge].add(mark.submission)
    return min(map(len, entries.values()), default=0)


def rank(marks: Iterable[Mark], criteria: Iterable[CriterionSpec],
         min_entries: int = MIN_ENTRIES_PER_JUDGE) -> list[Ranked]:
    """Rank submissions by normalised score, then raw mean; when a judge scored fewer than
    ``min_entries`` entries, by raw mean alone (``normalised`` None). Submissions level on
    the ranking score (to two decimals) share a rank and are flagged ``tied``.

    >>> c = [CriterionSpec(1, 100, 0, 10)]
    >>> [r.submission for r in rank([Mark(1, 7, 1, 9), Mark(1, 8, 1, 4)], c)]
    [7, 8]
    """
    marks, criteria = list(marks), list(criteria)
    reviews = _per_submission(raw_totals(marks, criteria))
    raw = {s: fmean(values) for s, values in reviews.items()}
    if fewest_entries_per_judge(marks) >= min_entries:
        z = _per_submission(judge_z_totals(marks, criteria))
        normalised = _rescale({s: fmean(values) for s, values in z.items()})
    else:
        normalised = {}
    basis = normalised or raw
    order = sorted(basis, key=lambda s: (-basis[s], -raw[s], s))
    rounded = {s: round(basis[s], TIE_DECIMALS) for s in order}
    counts = defaultdict(int)
    for value in rounded.values():
        counts[value] += 1
    ranked, first_rank = [], {}
    for position, s in enumerate(order, 1):
        first_rank.setdefault(rounded[s], position)
        ranked.append(Ranked(s, first_rank[rounded[s]], rounded[s] if normalised else None,
                             round(raw[s], TIE_DECIMALS), len(reviews[s]), counts[rounded[s]] > 1))
    return ranked


def _per_submission(totals: Mapping[tuple[int, int], float]) -> dict[int, list[float]]:
    grouped: dict[int, list[float]] = defaultdict(list)
    for (_judge, submission), value in totals.items():
        grouped[submission].append(value)
    return grouped


def _rescale(values: Mapping[int, float]) -> dict[int, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high - low < 1e-12:
        return {s: 50.0 for s in values}
    return {s: 100 * (v - low) / (high - low) for s, v in values.items()}


def advancing(ranking: Iterable[Ranked], top: int | None = None,
              threshold: float | None = None) -> list[Ranked]:
    """Who goes through: the top ``top`` (a tie at the cut goes through together) or
    everyone at or above ``threshold`` on the scale the round is ranked by."""
    if (top is None) == (threshold is None):
        raise CatalogError("give either a number of places or a threshold, not both")
    if top is not None:
        return [r for r in ranking if r.rank <= top]
    return [r for r in ranking if r.score >= threshold]


def assign(submissions: Iterable[int], judges: Iterable[int], k: int,
           conflicts: Iterable[tuple[int, int]] = (),
           load: Mapping[int, int] | None = None) -> dict[int, list[int]]:
    """Give each submission ``k`` judges, never a conflicted one, keeping loads level.

    The most constrained submissions are served first; each takes the ``k`` eligible
    judges with the lightest load so far (``load`` carries existing assignments).

    >>> assign([1, 2], [10, 11], 1)
    {1: [10], 2: [11]}
    """
    judges, blocked = list(judges), set(conflicts)
    current = {j: (load or {}).get(j, 0) for j in judges}
    eligible = {s: [j for j in judges if (j, s) not in blocked] for s in submissions}
    result: dict[int, list[int]] = {}
    for s in sorted(eligible, key=lambda s: (len(eligible[s]), s)):
        if len(eligible[s]) < k:
            raise CatalogError(f"submission {s} has only {len(eligible[s])} judge(s) without a "
                               f"conflict of interest; {k} are needed")
        chosen = sorted(eligible[s], key=lambda j: (current[j], judges.index(j)))[:k]
        for j in chosen:
            current[j] += 1
        result[s] = chosen
    return dict(sorted(result.items()))
