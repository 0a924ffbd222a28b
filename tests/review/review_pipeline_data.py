"""A work folder whose transcript is known (no model): a synthetic clip and the words the
recogniser would have heard, so the text and render stages run on it in seconds; and
what the review pipeline tests read back (an Aegisub-style edit, soft subtitle text,
the loudness of a span)."""
from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pysubs2

from episodes.record import Guest
from studio.files import write_text
from studio.pipeline import RENDER_STAGES, TEXT_STAGES
from studio.stages.ingest import record_for
from studio.stages.job import Job, RenderOptions, TextOptions
from studio.workdir import WorkDir
from subtitles.transcript import Segment, Transcript, Word
from tests.render_support import lavfi_clip

# Everything but the model: ingest, verbatim, plain, then the renders.
NO_MODEL = tuple(s for s in TEXT_STAGES if s.name != "transcribe") + RENDER_STAGES
HEARD = ("欢迎来到趋司法局。", "法律援助热线是一二三四八。", "打电话前请准备好身份证。")


def heard_transcript(sentences=HEARD, seconds: float = 6.0, model: str = "base") -> Transcript:
    """One segment per sentence, one word per character, spread evenly over ``seconds``."""
    per = int(seconds * 1000 / len(sentences))
    segments = []
    for index, sentence in enumerate(sentences):
        start, chars = index * per, sentence.rstrip("。")
        step = (per - 200) // len(chars)
        words = tuple(Word(start + i * step, start + (i + 1) * step, char, 0.9)
                      for i, char in enumerate(chars))
        segments.append(Segment(words[0].start_ms, words[-1].end_ms, chars, words))
    return Transcript("zh", int(seconds * 1000), segments, model=model)


def known_job(tmp_path: Path, seconds: float = 6.0, transcript: Transcript | None = None,
              slug: str = "legal-aid", **text) -> Job:
    """A job on a ``seconds`` tone-and-picture clip whose transcript.json is already there."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    clip = lavfi_clip(tmp_path / "call.mp4", seconds=seconds)
    work = WorkDir(tmp_path / "work")
    work.root.mkdir(parents=True, exist_ok=True)
    write_text(work.transcript, (transcript or heard_transcript(seconds=seconds)).to_json())
    # the guest is not from 区司法局: the pipeline would put back its own guest's department,
    # and 趋司法局 is the machine's error the reviewer corrects in these tests
    episode = record_for(clip, "法律援助怎么申请", slug=slug, kind="episode",
                         air_date=date(2026, 11, 24), guests=(Guest("王敏", "区法律援助中心"),))
    return Job(work, clip, episode, RenderOptions(preset="ultrafast"), TextOptions(**text))


def edit_like_aegisub(path, old: str, new: str) -> None:
    """What a subtitle editor does: load, change a line, save in the same format."""
    subs = pysubs2.load(str(path))
    for event in subs:
        event.text = event.text.replace(old, new)
    subs.save(str(path))


def soft_subtitles(video, index: int) -> str:
    """The text of a video's soft subtitle track, as a player reads it."""
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-map", f"0:s:{index}",
                           "-f", "srt", "-"], capture_output=True, text=True, check=True).stdout


def mean_volume(path, start: float, seconds: float) -> float:
    """Mean volume (dB) of ``seconds`` of ``path``'s audio from ``start`` (ffmpeg volumedetect)."""
    out = subprocess.run(["ffmpeg", "-v", "info", "-ss", str(start), "-t", str(seconds), "-i", str(path),
                          "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    found = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", out)
    return float("-inf") if found[1] == "-inf" else float(found[1])
