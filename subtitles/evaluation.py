"""How good a transcript and its cues are against ground truth (tests and benchmarks).

CER follows the shared clips' README: character edit distance over the number of
reference characters, after dropping everything but letters and digits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz.distance import Levenshtein


def scoring_chars(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class ErrorCount:
    edits: int
    reference_chars: int

    @property
    def rate(self) -> float:
        return self.edits / self.reference_chars if self.reference_chars else 0.0

    def __add__(self, other: "ErrorCount") -> "ErrorCount":
        return ErrorCount(self.edits + other.edits, self.reference_chars + other.reference_chars)


def character_errors(hypothesis: str, reference: str) -> ErrorCount:
    hyp, ref = scoring_chars(hypothesis), scoring_chars(reference)
    return ErrorCount(Levenshtein.distance(hyp, ref), len(ref))


def pooled_cer(pairs: Iterable[tuple[str, str]]) -> float:
    """CER over all (hypothesis, reference) pairs pooled, not averaged per clip."""
    total = ErrorCount(0, 0)
    for hypothesis, reference in pairs:
        total = total + character_errors(hypothesis, reference)
    return total.rate


def start_errors_ms(cue_starts: Sequence[int], true_onsets: Sequence[int]) -> list[int]:
    """For each true sentence onset, the distance to the nearest cue start."""
    if not cue_starts:
        return [abs(onset) for onset in true_onsets]
    return [min(abs(start - onset) for start in cue_starts) for onset in true_onsets]

