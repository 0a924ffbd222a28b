"""ffprobe/ffmpeg at the edge: what a media file holds, and its audio as samples.

Argument lists only, never shell strings; failures quote the tail of ffmpeg's
stderr and name the file.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from studio.errors import MediaError

SAMPLE_RATE = 16_000


def ffmpeg_exe() -> str:
    """The ffmpeg on PATH (Debian's has libass), else the one imageio-ffmpeg ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffprobe_exe() -> str:
    found = shutil.which("ffprobe")
    if not found:
        raise MediaError("ffprobe not found on PATH; run `make system-packages` (Debian package ffmpeg)")
    return found


def stderr_tail(stderr: str | bytes, lines: int = 2) -> str:
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    kept = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no message from ffmpeg"


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration_ms: int
    format_name: str
    has_audio: bool
    has_video: bool
    width: int = 0
    height: int = 0
    rotation: int = 0
    frame_rate: float = 0.0
    variable_frame_rate: bool = False
    video_codec: str = ""
    audio_codec: str = ""
    size_bytes: int = 0

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown, after rotation metadata is applied."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height


def probe(path: Path | str, protocol_whitelist: str | None = "file,pipe") -> MediaInfo:
    """Describe ``path`` or raise :class:`MediaError` naming the file and the problem."""
    path = Path(path)
    if not path.exists():
        raise MediaError("no such file", path)
    if path.is_dir():
        raise MediaError("is a folder, not a media file", path)
    size = path.stat().st_size
    if size == 0:
        raise MediaError("file is empty (0 bytes)", path)
    args = [ffprobe_exe(), "-v", "error"]
    if protocol_whitelist:
        args += ["-protocol_whitelist", protocol_whitelist]
    args += ["-print_format", "json", "-show_format", "-show_streams", str(path)]
    result = subprocess.run(args, capture_output=True)
    if result.returncode != 0:
        raise MediaError(f"not a readable media file ({stderr_tail(result.stderr)})", path)
    data = json.loads(result.stdout or b"{}")
    streams = data.get("streams", [])
    fmt = data.get("format", {})
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    duration = _duration_seconds(fmt, streams)
    if audio is None and video is None:
        raise MediaError("has no audio or video stream", path)
    info = MediaInfo(
        path=path,
        duration_ms=round(duration * 1000),
        format_name=fmt.get("format_name", ""),
        has_audio=audio is not None,
        has_video=video is not None,
        size_bytes=size,
        audio_codec=(audio or {}).get("codec_name", ""),
    )
    if video is not None:
        avg = _rate(video.get("avg_frame_rate"))
        real = _rate(video.get("r_frame_rate"))
        info = MediaInfo(**{**info.__dict__,
                            "width": int(video.get("width", 0)),
                            "height": int(video.get("height", 0)),
                            "rotation": _rotation(video),
                            "frame_rate": avg or real,
                            "variable_frame_rate": bool(avg and real and abs(avg - real) > 0.01),
                            "video_codec": video.get("codec_name", "")})
    if info.duration_ms <= 0:
        raise MediaError("has zero duration", path)
    return info


def _duration_seconds(fmt: dict, streams: list[dict]) -> float:
    candidates = [fmt.get("duration")] + [s.get("duration") for s in streams]
    values = [float(v) for v in candidates if v not in (None, "N/A")]
    return max(values, default=0.0)


def _rate(text: str | None) -> float:
    if not text or text in ("0/0", "N/A"):
        return 0.0
    return float(Fraction(text))


def _rotation(video: dict) -> int:
    rotate = video.get("tags", {}).get("rotate")
    if rotate is not None:
        return int(rotate) % 360
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            return int(-float(side["rotation"])) % 360
    return 0


def stream_audio(path: Path | str, block_samples: int,
                 sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """Yield the first audio stream as mono float32 blocks of ``block_samples``.

    ffmpeg streams, so memory stays the size of a block however long the recording.
    """
    path = Path(path)
    args = [ffmpeg_exe(), "-nostdin", "-v", "error", "-protocol_whitelist", "file,pipe",
            "-i", str(path), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(sample_rate),
            "-f", "f32le", "-"]
    with tempfile.TemporaryFile() as errors, \
            subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors) as ffmpeg:
        try:
            while block := ffmpeg.stdout.read(block_samples * 4):
                yield np.frombuffer(block[:len(block) // 4 * 4], dtype=np.float32)
        except GeneratorExit:  # the consumer stopped early: so does ffmpeg
            ffmpeg.kill()
            raise
        if ffmpeg.wait() != 0:
            errors.seek(0)
            raise MediaError(f"ffmpeg could not decode the audio ({stderr_tail(errors.read())})", path)
