"""Benchmark: does the glossary make whisper get the jargon right, beyond the clips it was
built on? Side by side on the five shared clips, the development clips and the held-out
clips: the raw model, + correction (no script needed), + second pass (no script either:
the model runs again prompted with the terms the first pass suggests, then correction),
+ prompt (the script's terms as the decoding prompt, and correction); CER, exact jargon
recall, false corrections, and the model time of each pass.

Run: .venv/bin/python bench/asr_accuracy.py   (or -m bench.asr_accuracy)

The development clips (tests/fixtures/dev/) are what the correction rules were tuned
on; the held-out clips (tests/fixtures/heldout/) were committed before the correction
step was changed for them and were never used to tune it. Both are synthetic TTS speech:
clean, noisy, faster and Southwestern-Mandarin accented copies of office-style scripts
(five for dev, four held out, none sharing a sentence). A false correction
is one that, applied alone, leaves the transcript with more character errors (it put a
term where the speaker said something else); corrections made on the ground-truth texts
themselves and on the cleaned seed report are counted too (all must be 0). One model load; WAV or Opus input, VAD on, the embedded base model.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from tests.support import ROOT, SHARED_CLIPS as CLIPS, SHARED_MEDIA as MEDIA  # noqa: E402

from glossary import load_default  # noqa: E402
from glossary.correct import correct  # noqa: E402
from glossary.evaluation import term_recall, transcript_false_corrections  # noqa: E402
from glossary.normalize import normalize  # noqa: E402
from glossary.prompt import decoding_hints  # noqa: E402
from glossary.termbase import Glossary  # noqa: E402
from studio.captions import second_pass  # noqa: E402
from subtitles.evaluation import ErrorCount, character_errors  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
DEV = ROOT / "tests" / "fixtures" / "dev"
SEED = ROOT.parent / "shared" / "seed" / "report.txt"
CONFIGS = ("raw", "+correction", "+second pass", "+prompt")


@dataclass
class Score:
    """One transcript against its reference."""

    errors: ErrorCount
    found: int
    wanted: int
    fixes: int = 0
    false: int = 0


def clips() -> dict[str, list[tuple[str, Path, Path]]]:
    """Set name → (clip, audio, ground truth) for the shared, development and held-out clips."""
    return {"shared": [(name, MEDIA / f"{name}.wav", MEDIA / f"{name}.txt") for name in CLIPS],
            **{name: [(path.stem, path, path.with_suffix(".txt")) for path in sorted(folder.glob("*.opus"))]
               for name, folder in (("dev", DEV), ("held-out", HELDOUT))}}


def score(text: str, reference: str, glossary: Glossary, fixes: int = 0, false: int = 0) -> Score:
    found, wanted = term_recall(text, reference, glossary)
    return Score(character_errors(text, reference), found, wanted, fixes, false)


def run_clip(audio: Path, reference: str, model, glossary: Glossary,
             seconds: dict[str, float]) -> dict[str, Score]:
    """config → score for one clip (three model runs: raw, second pass, script prompt);
    adds each pass's model time to ``seconds``."""
    from studio.transcribe import TranscribeOptions, transcribe_file

    def timed(config: str, prompt: str | None):
        started = time.perf_counter()
        transcript = transcribe_file(audio, TranscribeOptions(initial_prompt=prompt), model=model)
        seconds[config] = seconds.get(config, 0.0) + time.perf_counter() - started
        return transcript

    raw = timed("raw", None)
    again = second_pass(raw, glossary, "", lambda prompt: timed("+second pass", prompt))
    prompted = timed("+prompt", decoding_hints(glossary, reference)[1])
    scores = {"raw": score(raw.text, reference, glossary)}
    for config, transcript in (("+correction", raw), ("+second pass", again), ("+prompt", prompted)):
        fixed, fixes = correct(transcript, glossary)
        false = len(transcript_false_corrections(transcript, fixes, reference))
        scores[config] = score(fixed.text, reference, glossary, len(fixes), false)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="shared,dev,held-out", help="which clip sets (comma-separated)")
    sets = parser.parse_args().sets.split(",")
    from studio.transcribe import load_model

    glossary, model = load_default(), load_model()
    started = time.perf_counter()
    totals: dict[tuple[str, str], list[Score]] = {}
    seconds: dict[str, float] = {}
    worse: dict[tuple[str, str], list[str]] = {}
    print(f"{'clip':32}" + "".join(f"{c:>26}" for c in CONFIGS))
    print(f"{'':32}" + f"{'CER %  jargon  fix/false':>26}" * len(CONFIGS))
    for name in sets:
        for clip, audio, truth in clips()[name]:
            reference = truth.read_text(encoding="utf-8")
            scores = run_clip(audio, reference, model, glossary, seconds)
            cells = [f"{100 * s.errors.rate:6.1f} {s.found:>3}/{s.wanted:<3} {s.fixes:>3}/{s.false:<3}"
                     for s in scores.values()]
            print(f"{clip:32}" + "".join(f"{cell:>26}" for cell in cells), flush=True)
            for config, s in scores.items():
                totals.setdefault((name, config), []).append(s)
                if s.errors.edits > scores["raw"].errors.edits:
                    worse.setdefault((name, config), []).append(clip)
    print(f"\n{'set':10}{'config':14}{'pooled CER %':>13}{'jargon recall %':>17}{'fixes':>7}"
          f"{'false':>7}  clips worse than raw")
    for (name, config), rows in totals.items():
        errors = sum((s.errors for s in rows), ErrorCount(0, 0))
        found, wanted = sum(s.found for s in rows), sum(s.wanted for s in rows)
        print(f"{name:10}{config:14}{100 * errors.rate:13.2f}{100 * found / wanted:17.1f}"
              f"{sum(s.fixes for s in rows):>7}{sum(s.false for s in rows):>7}  "
              f"{', '.join(worse.get((name, config), [])) or '-'}")
    truths = [truth.read_text(encoding="utf-8") for name in sets for _, _, truth in clips()[name]]
    on_truth = sum(len(correct(text, glossary).changes) for text in truths)
    on_seed = len(correct(normalize(SEED.read_text(encoding="utf-8")), glossary).changes)
    print(f"\ncorrections made on the ground-truth texts: {on_truth}; on the cleaned seed report: {on_seed}")
    print("model time per pass: " + ", ".join(f"{config} {total:.0f} s" for config, total in seconds.items())
          + " (+second pass: the model's second run only, on the clips where the first suggested terms)")
    print(f"wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
