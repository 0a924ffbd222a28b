"""What the render and pipeline tests share: tiny synthetic recordings made by ffmpeg, a
work folder as the text stages would leave it, and ffprobe/ffmpeg readings of outputs.
A plain module, not a test module, so tests import it without another's fixtures."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np

from episodes.record import Guest
from studio.pipeline import TEXT_STAGES
from studio.stages.ingest import record_for
from studio.stages.job import Job, RenderOptions
from studio.workdir import WorkDir

INGEST = TEXT_STAGES[:1]
NON_CJK_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                          "-show_streams", str(path)], capture_output=True, check=True).stdout
    return json.loads(out)


def streams(path: Path, kind: str) -> list[dict]:
    return [s for s in ffprobe(path)["streams"] if s["codec_type"] == kind]


def top_level_boxes(path: Path) -> list[str]:
    """MP4 top-level box names in file order (faststart puts moov before mdat)."""
    names, data = [], path.read_bytes()
    position = 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position:position + 4], "big")
        names.append(data[position + 4:position + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[position + 8:position + 16], "big")
        position += size if size else len(data)
    return names


def gray_frame(path: Path, seconds: float) -> np.ndarray:
    probe = streams(path, "video")[0]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(seconds), "-i", str(path),
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(probe["height"], probe["width"])


def loudness(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of the file, by ffmpeg's ebur128."""
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a",
                          "-filter:a", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    return {"I": float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1]),
            "TP": float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)[1])}


def lavfi_clip(path: Path, video: str | None = "testsrc2=s=320x180:r=25",
               audio: str | None = "sine=f=300:sample_rate=48000", seconds: float = 2.0,
               extra: tuple[str, ...] = ()) -> Path:
    """A tiny synthetic recording: test picture and/or a tone."""
    args = ["ffmpeg", "-v", "error", "-y"]
    for source in (video, audio):
        if source:
            args += ["-f", "lavfi", "-i", f"{source}:d={seconds}" if "=" in source
                     else f"{source}=d={seconds}"]
    codecs = (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"] if video else [])
    codecs += ["-c:a", "aac"] if audio and path.suffix != ".wav" else []
    subprocess.run([*args, *codecs, *extra, str(path)], check=True)
    return path


def prepared_job(tmp_path: Path, source: Path, srt: Path, **render) -> Job:
    """A work folder as the text stages would leave it, from a known SRT."""
    work = WorkDir(tmp_path / "work")
    work.root.mkdir(parents=True, exist_ok=True)
    for variant in ("verbatim", "plain"):
        shutil.copyfile(srt, work.subtitles(variant, "srt"))
    episode = record_for(source, "新办企业怎么申领营业执照", air_date=date(2026, 11, 24),
                         guests=(Guest("王敏", "区市场监管局"),))
    return Job(work, source, episode, RenderOptions(**render))


def statuses(results) -> dict[str, str]:
    return {result.name: result.status for result in results}
