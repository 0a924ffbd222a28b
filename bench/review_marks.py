"""Benchmark: do the workspace's unsure-word marks point reviewers at the real errors?

    .venv/bin/python bench/review_marks.py [--cache DIR]

For each clip with known text — the five shared clips (`../shared/media/*.wav`) and the
held-out clips in `bench/review_clips/` (synthetic TTS speech made with
`../shared/tools/tts_zh`, each script also as a noisy copy, SNR 10 dB, and a faster one,
speed 0.8) — the clip goes through the pipeline's steps (embedded base model, VAD on,
glossary correction, cues cut from the words) and each cue gets the workspace's marks
(:func:`subtitles.uncertain.marks` of the words below a threshold). The cues' characters
are aligned to the script (Levenshtein edit operations over letters and digits); each
edit is one real error (a missing character sits between the characters either side).
Per clip group and pooled, the table gives the share of errors inside a mark (caught)
and the share of words and of characters marked, for fixed probabilities and for
thresholds relative to the clip's own distribution (its lowest N % of words).
It also counts the glossary suggestions (:func:`glossary.correct.suggest`) offered on
the corrected cues, and how many of them would bring the text closer to the script.
``--cache DIR`` keeps the transcripts, so a second run skips the model.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from tests.support import ROOT, SHARED_CLIPS as CLIPS, SHARED_MEDIA as MEDIA  # noqa: E402

from rapidfuzz.distance import Levenshtein  # noqa: E402

from glossary import load_default  # noqa: E402
from glossary.correct import correct, suggest  # noqa: E402
from subtitles.evaluation import scoring_chars  # noqa: E402
from studio.captions import verbatim_cues  # noqa: E402
from subtitles.cue import Cue  # noqa: E402
from subtitles.profiles import get_profile  # noqa: E402
from subtitles.transcript import Transcript, Word  # noqa: E402
from subtitles.uncertain import marks, unsure_words  # noqa: E402

HELD_OUT = ROOT / "bench" / "review_clips"
SCRIPTS = ("pension_and_housing", "shop_inspection", "neighbour_dispute")
FIXED = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
LOWEST = (0.1, 0.2, 0.3)


@dataclass(frozen=True)
class Clip:
    name: str
    group: str
    audio: Path
    script: Path


@dataclass(frozen=True)
class Scored:
    """A clip's cues and words; its scoring characters as (cue, offset in the cue's text);
    per real error, the scoring characters it touches."""
    cues: list[Cue]
    words: list[Word]
    chars: list[tuple[int, int]]
    errors: list[tuple[int, ...]]


def clips() -> list[Clip]:
    found = [Clip(name, "shared", MEDIA / f"{name}.wav", MEDIA / f"{name}.txt") for name in CLIPS]
    for suffix, group in (("", "held-out"), ("_noisy", "held-out noisy"), ("_fast", "held-out fast")):
        found += [Clip(f"{name}{suffix}", group, HELD_OUT / f"{name}{suffix}.flac", HELD_OUT / f"{name}.txt")
                  for name in SCRIPTS]
    return found


def transcript(clip: Clip, model, cache: Path | None) -> Transcript:
    from studio.transcribe import TranscribeOptions, transcribe_file

    cached = cache / f"{clip.name}.json" if cache else None
    if cached and cached.exists():
        return Transcript.load(cached)
    result = transcribe_file(clip.audio, TranscribeOptions(), model=model())
    if cached:
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(result.to_json(), encoding="utf-8")
    return result


def score(cues: list[Cue], words: list[Word], reference: str) -> Scored:
    """Align the cues' scoring characters to ``reference``; locate every edit in them."""
    chars = [(i, at) for i, cue in enumerate(cues) for at, ch in enumerate(cue.text) if scoring_chars(ch)]
    hypothesis = "".join(cues[i].text[at] for i, at in chars)
    errors = []
    for op in Levenshtein.editops(hypothesis, scoring_chars(reference)):
        if op.tag in ("replace", "delete"):  # a wrong or extra character of ours
            errors.append((op.src_pos,))
        else:  # a missing character: the gap before hypothesis position src_pos
            errors.append(tuple(p for p in (op.src_pos - 1, op.src_pos) if 0 <= p < len(chars)))
    return Scored(cues, [w for w in words if scoring_chars(w.text)], chars, errors)


def lowest_share(words: list[Word], share: float) -> float:
    """The probability under which (about) ``share`` of the clip's words fall."""
    heard = sorted(word.probability for word in words)
    at = int(len(heard) * share)
    return heard[at] if at < len(heard) else 1.0


def tally(scored: list[Scored], threshold) -> tuple[int, int, int, int, int, int]:
    """(errors caught, errors, words marked, words, characters marked, characters)."""
    caught = errors = marked = total = marked_chars = chars = 0
    for clip in scored:
        unsure = unsure_words(clip.words, threshold(clip.words))
        inside = {(i, at) for i, cue in enumerate(clip.cues) for mark in marks(cue, unsure)
                  for at in range(mark.start, mark.end)}
        flags = [where in inside for where in clip.chars]
        caught += sum(any(flags[p] for p in where) for where in clip.errors)
        errors += len(clip.errors)
        marked += len(unsure)
        total += len(clip.words)
        marked_chars += sum(flags)
        chars += len(flags)
    return caught, errors, marked, total, marked_chars, chars


def suggestions(cues: list[Cue], reference: str, glossary) -> tuple[int, int]:
    """(suggestions offered, those whose acceptance brings the text closer to ``reference``)."""
    def distance(texts):
        return Levenshtein.distance(scoring_chars("".join(texts)), scoring_chars(reference))

    texts = [cue.text for cue in cues]
    offered = right = 0
    for i, text in enumerate(texts):
        for fix in suggest(text, glossary):
            accepted = texts[:i] + [text[:fix.start] + fix.after + text[fix.end:]] + texts[i + 1:]
            offered, right = offered + 1, right + (distance(accepted) < distance(texts))
    return offered, right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="folder to keep transcripts in and reuse them from")
    args = parser.parse_args()
    glossary, loaded = load_default(), []  # the model loads only when a transcript is not cached

    def model():
        if not loaded:
            from studio.transcribe import load_model
            loaded.append(load_model())
        return loaded[0]

    profile, by_group = get_profile("broadcast-zh"), {}
    print(f"{'clip':34}{'words':>6}{'errors':>7}{'CER %':>7}{'suggested':>11}{'right':>7}")
    for clip in clips():
        corrected, _ = correct(transcript(clip, model, args.cache), glossary)
        reference = clip.script.read_text(encoding="utf-8")
        scored = score(verbatim_cues(corrected, profile), corrected.words, reference)
        by_group.setdefault(clip.group, []).append(scored)
        cer = 100 * len(scored.errors) / len(scoring_chars(reference))
        offered, right = suggestions(scored.cues, reference, glossary)
        print(f"{clip.name:34}{len(scored.words):>6}{len(scored.errors):>7}{cer:7.1f}{offered:>11}{right:>7}")
    groups = {**by_group, "all": [s for group in by_group.values() for s in group]}
    rules = [(f"p < {t:.1f}", lambda words, t=t: t) for t in FIXED]
    rules += [(f"lowest {q:.0%} of clip", lambda words, q=q: lowest_share(words, q)) for q in LOWEST]
    print(f"\n{'rule':22}" + "".join(f"{name:>24}" for name in groups))
    print(f"{'':22}" + "".join(f"{'caught  words  chars':>24}" for _ in groups))
    for name, rule in rules:
        cells = []
        for scored in groups.values():
            caught, errors, marked, total, marked_chars, chars = tally(scored, rule)
            cells.append(f"{_pct(caught, errors):>8}{_pct(marked, total):>7}{_pct(marked_chars, chars):>7}")
        print(f"{name:22}" + "".join(f"{cell:>24}" for cell in cells))
    errors = {name: sum(len(s.errors) for s in scored) for name, scored in groups.items()}
    print("\nerrors per group: " + ", ".join(f"{name} {count}" for name, count in errors.items()))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


if __name__ == "__main__":
    main()
