"""Contest uploads as received: the checks made while the bytes stream in, and names.

The site and ``studio contest import`` both receive uploads here: the entrant's
file name is kept only as text (never used as a path), the bytes are streamed to
disk with a size cap and hashed. What needs ffprobe (the container, codecs,
duration, resolution) and the removal of tags is the intake job's work
(``studio.contest_intake``), done by ``studio worker`` so the web process never
runs media tools. Stored files live under ``UPLOADS_FOLDER`` in the instance
folder, never under the web root.
"""
from __future__ import annotations

import glob
import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from episodes.contest import Submission
from episodes.errors import CatalogError

MIME_TYPES = {"mov,mp4,m4a,3gp,3g2,mj2": "video/mp4", "matroska,webm": "video/webm"}
CHUNK = 1 << 20
UPLOADS_FOLDER = "contest-uploads"  # in the instance folder, never under the web root


class UploadRejected(CatalogError):
    """An upload that breaks a rule; ``reason`` is a stable key the site translates."""

    def __init__(self, reason: str, problem: str, path: object = None, **detail: object):
        self.reason = reason
        self.detail = detail
        super().__init__(problem, path)


@dataclass(frozen=True)
class Entrant:
    name: str
    org: str = ""
    contact: str = ""
    user_id: int | None = None


def check_name(original_name: str) -> str:
    """The entrant's file name, refused when it tries to be a path or a hidden file."""
    if (not original_name or "/" in original_name or "\\" in original_name or ".." in original_name
            or original_name.startswith(".") or any(ord(ch) < 32 for ch in original_name)):
        raise UploadRejected("bad_name", "file name must be a plain name, not a path",
                             repr(original_name))
    return original_name


def receive(stream: BinaryIO, target: Path, max_bytes: int, label: str) -> str:
    """Copy ``stream`` into ``target`` chunk by chunk, stopping past ``max_bytes``;
    return the SHA-256. The caller's temp file is removed when this raises."""
    digest, written = hashlib.sha256(), 0
    with open(target, "wb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise UploadRejected("too_large", f"larger than the {max_bytes // 2**20} MB limit",
                                     label, limit_mb=max_bytes // 2**20)
            digest.update(chunk)
            out.write(chunk)
    if written == 0:
        raise UploadRejected("empty", "file is empty (0 bytes)", label)
    return digest.hexdigest()


@dataclass(frozen=True)
class Stored:
    name: str  # random, in the contest's uploads folder
    sha256: str
    size_bytes: int


def store(stream: BinaryIO, folder: Path, max_bytes: int, label: str) -> Stored:
    """Receive an upload into ``folder`` under a random name, unchecked: the intake job
    checks it. The bytes go to a hidden temporary file first, so a broken or refused
    upload leaves nothing behind."""
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".video"
    fd, tmp_name = tempfile.mkstemp(prefix=".upload.", suffix=".part", dir=folder)
    os.close(fd)
    try:
        sha256 = receive(stream, Path(tmp_name), max_bytes, label)
        os.replace(tmp_name, folder / name)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return Stored(name, sha256, (folder / name).stat().st_size)


def mime_type(submission: Submission) -> str:
    return MIME_TYPES.get(submission.container, "application/octet-stream")


def download_name(submission: Submission) -> str:
    """``V-XXXXXX.mp4``: the blind code, never the entrant's own file name."""
    return submission.code + (".webm" if mime_type(submission) == "video/webm" else ".mp4")


def caption_name(stored_name: str, track: int) -> str:
    """The WebVTT copy of caption track ``track`` (0, 1, …) of a stored video, written by
    the pre-check (browsers show no MP4 ``mov_text`` track; a ``<track>`` they do show)."""
    return f"{stored_name}.captions{track}.vtt"


def transcript_name(stored_name: str) -> str:
    """The WebVTT of what the pre-check recognised in a stored video."""
    return f"{stored_name}.transcript.vtt"


def remove_stored(folder: Path, stored_name: str) -> None:
    """Delete a stored video and the WebVTT files made from it (a withdrawn or replaced entry)."""
    for path in (folder / stored_name, *folder.glob(glob.escape(stored_name) + ".*.vtt")):
        path.unlink(missing_ok=True)
