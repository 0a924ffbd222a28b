"""Atomic output: every file is written under a temporary name, then renamed.

A crash or Ctrl-C therefore never leaves a half-written file where a later stage
or the site could pick it up.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from studio.errors import StudioError


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success.

    The temporary name keeps the target's suffix so tools that pick a format from
    the extension (ffmpeg) still work.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                                        dir=target.parent)
    except OSError as exc:
        raise StudioError(f"cannot write here ({exc.strerror})", target) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o644)  # mkstemp's 0600 would hide published files from the web server
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise StudioError(f"cannot put the finished file in place ({exc.strerror})", target) from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: Path | str, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path | str, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
