"""Speech to transcript with faster-whisper: the only module that talks to the model.

Audio is decoded once (ffmpeg), speech regions are found once (Silero VAD, the
detector faster-whisper ships), and the transcript comes back in Simplified
Chinese with hallucinations removed and word times aligned to real speech.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np
import opencc
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from episodes import settings
from studio import media
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
    # Audio is decoded and transcribed this many seconds at a time (cut in a pause),
    # so a two-hour recording needs no more memory than a short one (the VAD's memory
    # grows with the window: about 120 MB more for 5 minutes than for 1).
    window_seconds: int = 120


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
    """Transcribe any media file ffmpeg can read. Raises MediaError for bad input.

    The audio is decoded and transcribed one window at a time (cut in a pause),
    so memory does not grow with the length of the recording.
    """
    path = Path(path)
    info = media.probe(path)
    if not info.has_audio:
        raise MediaError("has no audio stream to transcribe", path)
    model = model or load_model()
    bar = progress.bar(total=round(info.duration_ms / 1000, 1), desc="transcribe", unit="s")
    segments: list[Segment] = []
    regions: list[Region] = []
    language, decoded_ms = options.language, 0
    try:
        for window in audio_windows(path, options.window_seconds):
            found, language = _transcribe_window(window, options, model, bar)
            segments += found
            regions += window.regions
            decoded_ms = window.end_ms
    finally:
        bar.close()
    if decoded_ms < info.duration_ms * 0.9 - 500:
        raise MediaError(f"truncated or corrupt: it declares {info.duration_ms / 1000:.1f} s but only "
                         f"{decoded_ms / 1000:.1f} s of audio decodes", path)
    transcript = clean(Transcript(language=language, duration_ms=decoded_ms, segments=segments,
                                  model=str(getattr(model, "model_name", "")), source=str(path)))
    return align_to_speech(transcript, regions) if options.vad else transcript


@dataclass(frozen=True)
class Window:
    """A stretch of the recording: its samples and, in recording time, its speech."""

    start_ms: int
    samples: np.ndarray
    regions: list[Region]

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.samples.size * 1000 // media.SAMPLE_RATE


def audio_windows(path: Path, window_seconds: int) -> Iterator[Window]:
    """Windows of about ``window_seconds``, each cut in the last pause before its end."""
    size = window_seconds * media.SAMPLE_RATE
    blocks = media.stream_audio(path, size)
    pending = np.empty(0, dtype=np.float32)
    start = 0  # samples
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)
        samples = np.concatenate([pending, block]) if pending.size else block
        regions = speech_regions(samples)
        cut = samples.size if following is None else _pause_to_cut_at(samples.size, regions)
        cut_ms = cut * 1000 // media.SAMPLE_RATE
        start_ms = start * 1000 // media.SAMPLE_RATE
        yield Window(start_ms, samples[:cut],
                     [(s + start_ms, e + start_ms) for s, e in regions if e <= cut_ms])
        pending, start, block = samples[cut:], start + cut, following


def _pause_to_cut_at(size: int, regions: list[Region]) -> int:
    """The middle of the latest pause in the window's second half (else its end)."""
    half_ms = size * 500 // media.SAMPLE_RATE
    gaps = [(end + next_start) // 2 for (_, end), (next_start, _) in zip(regions, regions[1:])]
    late = [gap for gap in gaps if gap >= half_ms]
    return late[-1] * media.SAMPLE_RATE // 1000 if late else size


def _transcribe_window(window: Window, options: TranscribeOptions, model: WhisperModel,
                       bar) -> tuple[list[Segment], str]:
    segments, info = model.transcribe(
        window.samples, language=None if options.language == "auto" else options.language,
        beam_size=options.beam_size, vad_filter=options.vad, word_timestamps=True,
        hotwords=options.hotwords, initial_prompt=options.initial_prompt,
        condition_on_previous_text=False)
    found, done_ms = [], window.start_ms
    for raw in segments:
        segment = _shifted(_to_simplified_segment(raw), window.start_ms)
        found.append(segment)
        reached = min(segment.end_ms, window.end_ms)
        bar.update(max(0, reached - done_ms) / 1000)
        done_ms = max(done_ms, reached)
    bar.update((window.end_ms - done_ms) / 1000)
    return found, info.language


def _shifted(segment: Segment, offset_ms: int) -> Segment:
    if not offset_ms:
        return segment
    words = tuple(replace(w, start_ms=w.start_ms + offset_ms, end_ms=w.end_ms + offset_ms)
                  for w in segment.words)
    return replace(segment, start_ms=segment.start_ms + offset_ms,
                   end_ms=segment.end_ms + offset_ms, words=words)


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
