"""The media library: where a published file lives under the media root, and why
it is never overwritten.

Paths are content-addressed inside the episode's slug folder
(``<slug>/<sha256[:16]>/<name>``): a new render of ``podcast.mp3`` gets a new
folder, so a listener halfway through the old file keeps a consistent download and
caches keyed on the URL never serve stale bytes. The library plans; the edge copies
(with an atomic rename) and records the rows.

Example::

    placed = place(media_root, "huji-banli", Path("work/podcast.mp3"))
    placed.relpath  # 'huji-banli/3fa2c1d4e5b60718/podcast.mp3'
"""
from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from episodes.errors import CatalogError

HASH_PREFIX = 16  # hex digits of sha256 in the folder name: 64 bits, no practical clash
PROGRAMME_FOLDER = "_programmes"  # never a slug folder: slugs start with a letter or digit
_CHUNK = 1 << 20

# Types the standard table lacks or gets wrong for what the pipeline produces.
MIME_TYPES = {
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".ass": "text/x-ssa",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".json": "application/json",
}


@dataclass(frozen=True)
class Placement:
    """Where ``source`` goes; ``exists`` means identical bytes are already there."""

    source: Path
    relpath: str
    target: Path
    sha256: str
    bytes: int
    exists: bool


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def mime_type(path: Path | str) -> str:
    suffix = PurePosixPath(str(path)).suffix.lower()
    return MIME_TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def programme_artwork(media_root: Path, kind: str) -> Path:
    """Where a programme's podcast artwork (``kind`` of :data:`~episodes.record.SHOW_NAMES`)
    is drawn once; the feeds serve it at a stable address, so it is never redrawn over."""
    return media_root / PROGRAMME_FOLDER / f"{kind}.jpg"


def place(media_root: Path, slug: str, source: Path) -> Placement:
    """Plan where ``source`` goes; refuse a target holding different bytes."""
    sha = sha256_of(source)
    size = source.stat().st_size
    relpath = f"{slug}/{sha[:HASH_PREFIX]}/{source.name}"
    target = media_root / relpath
    exists = target.exists()
    if exists and (target.stat().st_size != size or sha256_of(target) != sha):
        raise CatalogError("differs from the file already published at this path; "
                           "published files are never overwritten", target)
    return Placement(source, relpath, target, sha, size, exists)

