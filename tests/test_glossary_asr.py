"""Glossary-aware transcription on the shared clips, with the real model (slow).

Plain whisper against the glossary's prompt + post-correction, on WAV input: exact
jargon recall must reach 95 %, pooled CER 5 %, and no clip may get worse.
"""
from __future__ import annotations

import pytest

from glossary import load_default
from glossary.correct import correct
from glossary.evaluation import term_recall
from glossary.prompt import decoding_hints
from subtitles.evaluation import ErrorCount, character_errors
from tests.conftest import SHARED_CLIPS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def measured(shared_media):
    from studio.transcribe import TranscribeOptions, load_model, transcribe_file

    glossary, model = load_default(), load_model()
    rows = {}
    for clip in SHARED_CLIPS:
        reference = (shared_media / f"{clip}.txt").read_text(encoding="utf-8")
        _, prompt = decoding_hints(glossary, reference)
        wav = shared_media / f"{clip}.wav"
        plain = transcribe_file(wav, TranscribeOptions(), model=model)
        both, _ = correct(transcribe_file(wav, TranscribeOptions(initial_prompt=prompt), model=model),
                          glossary)
        rows[clip] = {name: (character_errors(t.text, reference), term_recall(t.text, reference, glossary))
                      for name, t in (("plain", plain), ("glossary", both))}
    return rows


def test_jargon_recall_reaches_95_percent(measured):
    found = sum(row["glossary"][1][0] for row in measured.values())
    wanted = sum(row["glossary"][1][1] for row in measured.values())
    assert found / wanted >= 0.95, f"{found}/{wanted}"


def test_pooled_cer_is_at_most_5_percent(measured):
    pooled = sum((row["glossary"][0] for row in measured.values()), ErrorCount(0, 0))
    assert pooled.rate <= 0.05, f"{pooled.rate:.2%}"


@pytest.mark.parametrize("clip", SHARED_CLIPS)
def test_no_clip_gets_worse(measured, clip):
    plain, glossary = measured[clip]["plain"], measured[clip]["glossary"]
    assert glossary[0].edits <= plain[0].edits
    assert glossary[1][0] >= plain[1][0]
