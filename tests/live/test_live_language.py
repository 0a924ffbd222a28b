"""The live captioner over minutes of what is not Mandarin speech, with the real model and
no real-time wait (the audio is fed to :class:`studio.live_captions.Captioner` as fast as
it can take it): silence, music and room noise invent no captions, and English is told
apart from Mandarin by :class:`studio.live_language.LanguageGate`."""
from __future__ import annotations

import logging
import shutil
import subprocess

import numpy as np
import pytest

from studio.live_captions import SEGMENT_MS, Captioner, SegmentWriter, first_shown
from studio.live_language import LanguageGate
from studio.live_recording import live_cues
from studio.media import SAMPLE_RATE

pytestmark = pytest.mark.slow
# chords changing every second or so, and a drum-like noise burst every half second
MUSIC = ("0.2*sin(2*PI*(220+55*floor(mod(t\\,4)))*t)+0.1*sin(2*PI*330*t)"
         "+0.05*sin(2*PI*(440+110*floor(mod(t\\,3)))*t)+0.3*exp(-30*mod(t\\,0.5))*random(0)")


def samples(*arguments: str) -> np.ndarray:
    """What ffmpeg makes of ``arguments``, as the captioner hears it (16 kHz mono float32)."""
    done = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *arguments, "-ac", "1", "-ar", str(SAMPLE_RATE),
                           "-f", "f32le", "-"], capture_output=True, check=True)
    return np.frombuffer(done.stdout, dtype=np.float32)


def test_three_minutes_of_silence_music_and_room_noise_are_not_captioned(tmp_path, speech_model):
    audio = samples("-f", "lavfi", "-i", f"anullsrc=r={SAMPLE_RATE}:cl=mono", "-f", "lavfi", "-i",
                    f"aevalsrc={MUSIC}:s={SAMPLE_RATE}", "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.02",
                    "-filter_complex", "[0]atrim=0:60[a];[1]atrim=0:60[b];[2]atrim=0:60[c];[a][b][c]concat=n=3:v=0:a=1")
    assert audio.size == 180 * SAMPLE_RATE
    captioner = Captioner(speech_model, SegmentWriter(tmp_path / "b1"), language=LanguageGate(speech_model, "b1"))
    captioner.start_at(0)
    for second in range(180):
        captioner.feed(audio[second * SAMPLE_RATE:(second + 1) * SAMPLE_RATE])
        captioner.transcribe_pass()
    captioner.finish()
    assert len(list((tmp_path / "b1").glob("seg-*.vtt"))) == 180 * 1000 // SEGMENT_MS
    assert first_shown(live_cues(tmp_path / "b1")) == []


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed (make system-packages)")
def test_english_pauses_the_captions_and_mandarin_resumes_them(tmp_path, speech_model, shared_media, caplog):
    english = tmp_path / "english.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(english), "Welcome to the programme. Today we talk "
                    "about legal aid, and whom to call if your employer has not paid your wages."], check=True)
    gate = LanguageGate(speech_model, "b1")
    mandarin = samples("-ss", "0.3", "-t", "8", "-i", str(shared_media / "talk_legal_aid.wav"))
    caplog.set_level(logging.INFO, "studio.live_language")
    assert not gate.allows(mandarin[:SAMPLE_RATE * 3], 3000)  # too little to tell: nothing yet
    assert gate.allows(mandarin, 8000)
    assert not gate.allows(samples("-i", str(english)), 20_000)
    assert gate.allows(mandarin, 30_000)
    paused, resumed = [record.getMessage() for record in caplog.records]
    assert paused.startswith("b1: the sound is not Chinese speech (heard as en, ") and paused.endswith("captions paused until it is")
    assert resumed == "b1: Chinese again (zh): captions go on"
