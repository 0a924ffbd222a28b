"""Speech to transcript with faster-whisper: the only module that talks to the model.

Audio is decoded once (ffmpeg), speech regions are found once (Silero VAD, the
detector faster-whisper ships), and the transcript comes back in Simplified
Chinese with hallucinations removed and word times aligned to real speech.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import opencc
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from studio import media, settings
from studio.errors import MediaError, StudioError
from studio.model import resolve
from studio.progress import NULL_PROGRESS, Progress
from subtitles.cleanup import clean
from subtitles.speech import Region, align_words
from subtitles.transcript import Segment, Transcript, Word, map_word_texts

log = logging.getLogger(__name__)

# Tight settings: we want where each clause starts, not chunks for the decoder.
SPEECH_REGION_VAD = VadOptions(threshold=0.5, min_silence_duration_ms=100, speech_pad_ms=60)


@dataclass(frozen=True)
class TranscribeOptions:
    language: str = "zh"  # "auto" lets the model detect it
    vad: bool = True
    hotwords: str | None = None
    initial_prompt: str | None = None
    beam_size: int = 5


@lru_cache(maxsize=2)
def load_model(name: str | None = None, cache_dir: str | None = None,
               compute_type: str | None = None, cpu_threads: int | None = None) -> WhisperModel:
    """Load (once per process) the embedded model, a local folder, or a cached named model."""
    name = name or settings.get("model")
    path, local = resolve(name, cache_dir or settings.get("model_cache"))
    try:
        return WhisperModel(path, device="cpu",
                            compute_type=compute_type or settings.get("compute_type"),
                            cpu_threads=int(cpu_threads if cpu_threads is not None
                                            else settings.get("cpu_threads")),
                            local_files_only=True)
    except (OSError, RuntimeError, ValueError) as exc:
        where = "model folder" if local else "model name (only models already in the local cache work offline)"
        raise StudioError(f"cannot load the speech model ({exc})", f"{where} {name!r}") from exc


def transcribe_file(path: Path | str, options: TranscribeOptions = TranscribeOptions(),
                    progress: Progress = NULL_PROGRESS,
                    model: WhisperModel | None = None) -> Transcript:
    """Transcribe any media file ffmpeg can read. Raises MediaError for bad input."""
    path = Path(path)
    info = media.probe(path)
    if not info.has_audio:
        raise MediaError("has no audio stream to transcribe", path)
    audio = media.decode_audio(path)
    decoded_ms = audio.size * 1000 // media.SAMPLE_RATE
    if decoded_ms < info.duration_ms * 0.9 - 500:
        raise MediaError(f"truncated or corrupt: it declares {info.duration_ms / 1000:.1f} s but only "
                         f"{decoded_ms / 1000:.1f} s of audio decodes", path)
    return transcribe_samples(audio, options, progress, model or load_model(), source=str(path))


def transcribe_samples(audio: np.ndarray, options: TranscribeOptions, progress: Progress,
                       model: WhisperModel, source: str = "") -> Transcript:
    duration_ms = round(audio.size * 1000 / media.SAMPLE_RATE)
    regions = speech_regions(audio)
    segments, info = model.transcribe(
        audio, language=None if options.language == "auto" else options.language,
        beam_size=options.beam_size, vad_filter=options.vad, word_timestamps=True,
        hotwords=options.hotwords, initial_prompt=options.initial_prompt,
        condition_on_previous_text=False)
    bar = progress.bar(total=round(duration_ms / 1000, 1), desc="transcribe", unit="s")
    converted: list[Segment] = []
    done = 0.0
    try:
        for raw in segments:
            converted.append(_to_simplified_segment(raw))
            bar.update(max(0.0, min(raw.end, duration_ms / 1000) - done))
            done = max(done, min(raw.end, duration_ms / 1000))
        bar.update(duration_ms / 1000 - done)
    finally:
        bar.close()
    transcript = Transcript(language=info.language, duration_ms=duration_ms, segments=converted,
                            model=str(getattr(model, "model_name", "")), source=source)
    transcript = clean(transcript)
    return align_to_speech(transcript, regions) if options.vad else transcript


def speech_regions(audio: np.ndarray) -> list[Region]:
    stamps = get_speech_timestamps(audio, SPEECH_REGION_VAD, sampling_rate=media.SAMPLE_RATE)
    return [(s["start"] * 1000 // media.SAMPLE_RATE, s["end"] * 1000 // media.SAMPLE_RATE)
            for s in stamps]


def align_to_speech(transcript: Transcript, regions: list[Region]) -> Transcript:
    aligned: list[Segment] = []
    for segment in transcript.segments:
        words = tuple(align_words(segment.words, regions))
        if words:
            aligned.append(Segment(words[0].start_ms, words[-1].end_ms,
                                   "".join(w.text for w in words).strip(), words,
                                   segment.avg_logprob, segment.no_speech_prob))
    transcript.segments = aligned
    return transcript


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def _to_simplified_segment(raw) -> Segment:
    words = tuple(Word(round(w.start * 1000), round(w.end * 1000), w.word, round(float(w.probability), 3))
                  for w in raw.words or ())
    return Segment(
        start_ms=round(raw.start * 1000), end_ms=round(raw.end * 1000),
        text=to_simplified(raw.text).strip(), words=map_word_texts(words, to_simplified),
        avg_logprob=round(float(raw.avg_logprob), 3), no_speech_prob=round(float(raw.no_speech_prob), 3))
