"""Run ffmpeg with ``-progress pipe:1`` and turn its report into a progress bar.

ffmpeg prints ``key=value`` lines on stdout (``out_time_us`` is the position in the
output); we read them as they arrive, so memory stays flat however long the
recording is. stderr goes to a temporary file so a chatty ffmpeg never blocks on a
full pipe, and its tail is quoted if the run fails. Setting the ``cancel`` event
stops ffmpeg within one progress report (half a second): the pipeline's stages run
in threads, and only the main thread sees Ctrl-C.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from threading import Event
from typing import Sequence

from studio.errors import MediaError, StudioError
from studio.media import ffmpeg_exe, stderr_tail
from studio.progress import NULL_PROGRESS, Progress

TRUNCATED = "partial file"  # what ffmpeg's MP4/MOV reader logs for missing sample data


def run_ffmpeg(args: Sequence[str], *, duration_ms: int, desc: str, path: Path,
               progress: Progress = NULL_PROGRESS, cwd: Path | None = None,
               cancel: Event | None = None) -> str:
    """Run ``ffmpeg ARGS`` with a bar of ``duration_ms``; return its stderr.

    Raises :class:`MediaError` naming ``path`` with ffmpeg's last lines on failure.
    Ctrl-C (or ``cancel``) stops ffmpeg before the error goes on, so no child keeps
    writing.
    """
    cancel = cancel or Event()
    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-y",
               "-progress", "pipe:1", *args]
    bar = progress.bar(round(duration_ms / 1000, 1), desc, unit="s")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, cwd=cwd,
                                   text=True)
        try:
            _follow(process, bar, cancel)
            if not cancel.is_set():
                process.wait()
        finally:
            _stop(process)
            bar.close()
        returncode = process.returncode
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if cancel.is_set():
        raise StudioError(f"{desc} stopped because the run is ending", path)
    if returncode != 0:
        raise MediaError(f"ffmpeg failed during {desc} ({stderr_tail(stderr)})", path)
    if TRUNCATED in stderr:
        # ffmpeg reads what is there and exits 0; a shortened deliverable is still wrong.
        raise MediaError("the recording is truncated (its data ends before its index says); "
                         "copy it again from the original", path)
    return stderr


def _follow(process: subprocess.Popen, bar, cancel: Event) -> None:
    """Advance ``bar`` by the seconds of output ffmpeg reports as done."""
    done = 0.0
    for line in process.stdout:
        if cancel.is_set():
            return
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            seconds = max(int(value), 0) / 1_000_000
            if seconds > done:
                bar.update(round(seconds - done, 3))
                done = seconds


def _stop(process: subprocess.Popen) -> None:
    """Make sure ffmpeg is gone (it still runs if we are leaving on an exception).

    SIGKILL, not SIGTERM: on SIGTERM ffmpeg first flushes its encoders and finishes
    the file (seconds), and that file is a temporary one we are about to delete.
    """
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()
