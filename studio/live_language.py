"""Is the live sound Chinese speech? The live captioner tells the model to write Chinese,
and told so over English (a guest, a clip played on air) it writes Chinese nobody said;
over music the speech detector lets through, it writes stock sentences (measured on a
synthetic chord-and-drum loop: 我认为你能够做到的事, pass after pass).

So the captioner asks :class:`LanguageGate` before each pass: the model's own language
detection over the window, again every ``CHECK_EVERY_MS`` of stream (one extra encoder
pass each time, not one per pass). Captions go on while Chinese (Mandarin, or Cantonese,
which the local dialects may be taken for) has at least ``CHINESE_AT_LEAST`` of the
detection's probability: clear Mandarin has nearly all of it, the music above under 5 %
(its guesses were Romanian, English or Shona at about 20 % each). Otherwise they pause,
with a log line. Music right after speech can still be heard as speech until the next
check, up to ``CHECK_EVERY_MS`` later.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from studio.media import SAMPLE_RATE

log = logging.getLogger(__name__)

CHINESE = frozenset({"zh", "yue"})
CHECK_EVERY_MS = 10_000
MIN_AUDIO_MS = 4_000  # less is too little to tell a language by
CHINESE_AT_LEAST = 0.3


@dataclass
class LanguageGate:
    """Whether the window's speech may be captioned; ``model`` is a faster-whisper model.

    >>> gate = LanguageGate(model, "b12")  # doctest: +SKIP
    >>> gate.allows(window, window_end_ms)  # doctest: +SKIP
    False
    """

    model: object
    stream: str
    chinese: bool | None = None  # None: not heard enough to tell yet
    checked_at_ms: int = 0

    def allows(self, audio: np.ndarray, audio_end_ms: int) -> bool:
        due = self.chinese is None or audio_end_ms - self.checked_at_ms >= CHECK_EVERY_MS
        if not due or audio.size < MIN_AUDIO_MS * SAMPLE_RATE // 1000:
            return bool(self.chinese)  # nothing is captioned before the language is known
        language, probability, everything = self.model.detect_language(audio)
        chinese = sum(p for name, p in everything if name in CHINESE) >= CHINESE_AT_LEAST
        if not chinese and self.chinese is not False:
            log.warning("%s: the sound is not Chinese speech (heard as %s, %.0f%% sure): captions paused "
                        "until it is", self.stream, language, probability * 100)
        elif chinese and self.chinese is False:
            log.info("%s: Chinese again (%s): captions go on", self.stream, language)
        self.chinese, self.checked_at_ms = chinese, audio_end_ms
        return chinese
