"""Benchmark: does the glossary make whisper get the jargon right? CER and exact jargon
recall on the shared clips for plain whisper, + prompt, + post-correction, both.

Run: .venv/bin/python bench/asr_accuracy.py   (or -m bench.asr_accuracy)

The prompt comes from the terms of each clip's script (guide videos are scripted, so
the office knows an episode's terms before transcribing); the post-correction uses
the whole shipped glossary. "+hotwords" adds faster-whisper hotwords to the prompt,
and "long prompt" puts every glossary term in the prompt: both are measured to show
why decoding_hints leaves hotwords off and keeps the prompt short.
WAV input, VAD on, the embedded base model, one model load for everything.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from glossary import load_default  # noqa: E402
from glossary.correct import correct  # noqa: E402
from glossary.evaluation import term_recall  # noqa: E402
from glossary.prompt import decoding_hints  # noqa: E402
from studio.transcribe import TranscribeOptions, load_model, transcribe_file  # noqa: E402
from subtitles.evaluation import character_errors  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT.parent / "shared" / "media"
CLIPS = ("guide_business_license", "guide_property_registration", "talk_legal_aid",
         "guide_social_security_card", "talk_law_enforcement")
CONFIGS = ("plain", "+prompt", "+correction", "both", "+hotwords", "long prompt")


def runs(clip: str, model, glossary) -> dict[str, tuple[str, int, int]]:
    """config → (text, segments, corrections) for one clip (four model runs)."""
    script = (MEDIA / f"{clip}.txt").read_text(encoding="utf-8")
    hotwords, prompt = decoding_hints(glossary, script, hotwords=True)
    long_prompt = "、".join(t.term for t in glossary.terms) + "。"
    wav = MEDIA / f"{clip}.wav"
    plain = transcribe_file(wav, TranscribeOptions(), model=model)
    prompted = transcribe_file(wav, TranscribeOptions(initial_prompt=prompt), model=model)
    hot = transcribe_file(wav, TranscribeOptions(hotwords=hotwords, initial_prompt=prompt), model=model)
    long = transcribe_file(wav, TranscribeOptions(initial_prompt=long_prompt), model=model)
    fixed, plain_fixes = correct(plain, glossary)
    both, both_fixes = correct(prompted, glossary)
    return {"plain": (plain.text, len(plain.segments), 0),
            "+prompt": (prompted.text, len(prompted.segments), 0),
            "+correction": (fixed.text, len(fixed.segments), len(plain_fixes)),
            "both": (both.text, len(both.segments), len(both_fixes)),
            "+hotwords": (hot.text, len(hot.segments), 0),
            "long prompt": (long.text, len(long.segments), 0)}


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    glossary, model = load_default(), load_model()
    totals = {c: [0, 0, 0, 0] for c in CONFIGS}  # edits, ref chars, terms found, terms
    started = time.perf_counter()
    print(f"{'clip':30}{'config':14}{'CER %':>7}{'jargon':>9}{'segments':>10}{'fixes':>7}")
    for clip in CLIPS:
        reference = (MEDIA / f"{clip}.txt").read_text(encoding="utf-8")
        for config, (text, segments, fixes) in runs(clip, model, glossary).items():
            errors, (found, wanted) = character_errors(text, reference), term_recall(text, reference, glossary)
            for i, value in enumerate((errors.edits, errors.reference_chars, found, wanted)):
                totals[config][i] += value
            print(f"{clip:30}{config:14}{100 * errors.rate:7.1f}{found:>5}/{wanted:<3}{segments:>10}{fixes:>7}")
    print(f"\n{'all five':30}{'config':14}{'CER %':>7}{'recall %':>9}")
    for config, (edits, chars, found, wanted) in totals.items():
        print(f"{'':30}{config:14}{100 * edits / chars:7.2f}{100 * found / wanted:9.1f}")
    false = [f for clip in CLIPS for f in correct((MEDIA / f"{clip}.txt").read_text(encoding="utf-8"),
                                                  glossary).changes]
    print(f"\ncorrections made on the ground-truth texts (false corrections): {len(false)}")
    print(f"wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
