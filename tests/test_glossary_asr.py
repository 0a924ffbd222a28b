"""Glossary-aware transcription on the shared clips, with the real model (slow).

The glossary's prompt + post-correction on WAV input: exact jargon recall must reach
95 %, pooled CER 5 %, and no clip may be worse than the plain-whisper baseline the
clips' README publishes (CER, WAV, VAD on). bench/asr_accuracy.py also runs plain
whisper through our own pipeline side by side; this test keeps to five model runs.
"""
from __future__ import annotations

import re

import pytest

from glossary import load_default
from glossary.correct import correct
from glossary.evaluation import term_recall
from glossary.prompt import decoding_hints
from subtitles.evaluation import ErrorCount, character_errors
from tests.conftest import SHARED_CLIPS

pytestmark = pytest.mark.slow


def published_baseline(readme: str) -> dict[str, float]:
    """clip → CER (fraction) from the README's whisper baseline table, first CER column."""
    rows = re.findall(r"^\| `(\w+)` \| ([\d.]+) % \|", readme, re.M)
    return {clip: float(cer) / 100 for clip, cer in rows}


@pytest.fixture(scope="module")
def measured(shared_media):
    from studio.transcribe import TranscribeOptions, load_model, transcribe_file

    glossary, model = load_default(), load_model()
    rows = {}
    for clip in SHARED_CLIPS:
        reference = (shared_media / f"{clip}.txt").read_text(encoding="utf-8")
        _, prompt = decoding_hints(glossary, reference)
        heard = transcribe_file(shared_media / f"{clip}.wav", TranscribeOptions(initial_prompt=prompt),
                                model=model)
        text = correct(heard, glossary)[0].text
        rows[clip] = (character_errors(text, reference), term_recall(text, reference, glossary))
    return rows


def test_jargon_recall_reaches_95_percent(measured):
    found = sum(recall[0] for _, recall in measured.values())
    wanted = sum(recall[1] for _, recall in measured.values())
    assert found / wanted >= 0.95, f"{found}/{wanted}"


def test_pooled_cer_is_at_most_5_percent(measured):
    pooled = sum((errors for errors, _ in measured.values()), ErrorCount(0, 0))
    assert pooled.rate <= 0.05, f"{pooled.rate:.2%}"


@pytest.mark.parametrize("clip", SHARED_CLIPS)
def test_no_clip_is_worse_than_the_published_baseline(shared_media, measured, clip):
    baseline = published_baseline((shared_media / "README.md").read_text(encoding="utf-8"))
    assert measured[clip][0].rate <= baseline[clip], f"{measured[clip][0].rate:.1%} vs {baseline[clip]:.1%}"
