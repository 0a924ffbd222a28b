"""Run ffmpeg with ``-progress pipe:1`` and turn its report into a progress bar.

ffmpeg prints ``key=value`` lines on stdout (``out_time_us`` is the position in the
output); we read them as they arrive, so memory stays flat however long the
recording is. stderr goes to a temporary file so a chatty ffmpeg never blocks on a
full pipe, and its tail is quoted if the run fails.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from studio.errors import MediaError
from studio.media import ffmpeg_exe, stderr_tail
from studio.progress import NULL_PROGRESS, Progress

TRUNCATED = "partial file"  # what ffmpeg's MP4/MOV reader logs for missing sample data


def run_ffmpeg(args: Sequence[str], *, duration_ms: int, desc: str, path: Path,
               progress: Progress = NULL_PROGRESS, cwd: Path | None = None) -> str:
    """Run ``ffmpeg ARGS`` with a bar of ``duration_ms``; return its stderr.

    Raises :class:`MediaError` naming ``path`` with ffmpeg's last lines on failure.
    Ctrl-C stops ffmpeg before the interrupt goes on, so no child keeps writing.
    """
    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-y",
               "-progress", "pipe:1", *args]
    bar = progress.bar(round(duration_ms / 1000, 1), desc, unit="s")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, cwd=cwd,
                                   text=True)
        try:
            _follow(process, bar)
            returncode = process.wait()
        finally:
            _stop(process)
            bar.close()
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if returncode != 0:
        raise MediaError(f"ffmpeg failed during {desc} ({stderr_tail(stderr)})", path)
    if TRUNCATED in stderr:
        # ffmpeg reads what is there and exits 0; a shortened deliverable is still wrong.
        raise MediaError("the recording is truncated (its data ends before its index says); "
                         "copy it again from the original", path)
    return stderr


def _follow(process: subprocess.Popen, bar) -> None:
    """Advance ``bar`` by the seconds of output ffmpeg reports as done."""
    done = 0.0
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            seconds = max(int(value), 0) / 1_000_000
            if seconds > done:
                bar.update(round(seconds - done, 3))
                done = seconds


def _stop(process: subprocess.Popen) -> None:
    """Make sure ffmpeg is gone (it still runs if we are leaving on an exception)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.stdout.close()
