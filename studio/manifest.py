"""The work folder's manifest: per stage, the hash of its inputs and its outputs' fingerprints.

A stage is up to date when the hash of what it would read (file contents and
parameters) equals the recorded one and its recorded outputs are still there,
unchanged. File hashes are cached by (size, mtime), so a rerun does not read a
two-hour recording again just to learn that nothing changed. Saved atomically
after every stage; safe to use from the pipeline's worker threads.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from studio.errors import StudioError
from studio.files import write_text

MANIFEST_VERSION = 1


class Manifest:
    def __init__(self, path: Path):
        self.path = path
        data = self._read(path)
        self.stages: dict[str, dict] = data.get("stages", {})
        self.files: dict[str, list] = data.get("files", {})
        self._lock = threading.Lock()

    @staticmethod
    def _read(path: Path) -> dict:
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StudioError(f"manifest is unreadable ({exc}); delete it to rebuild", path) from exc
        return data if data.get("version") == MANIFEST_VERSION else {}

    def fingerprint(self, path: Path) -> str:
        """SHA-256 of the file's content, from the cache while size and mtime agree."""
        stat = path.stat()
        with self._lock:
            cached = self.files.get(str(path))
        if cached and cached[:2] == [stat.st_size, stat.st_mtime_ns]:
            return cached[2]
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        with self._lock:
            self.files[str(path)] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
        return digest.hexdigest()

    def key(self, inputs: list[Path], params: dict) -> str:
        """Hash of what a stage reads and how it is asked to work."""
        contents = {path.name: self.fingerprint(path) for path in inputs}
        blob = json.dumps({"inputs": contents, "params": params}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def is_current(self, stage: str, key: str, outputs: list[Path]) -> bool:
        entry = self.stages.get(stage)
        if not entry or entry.get("key") != key:
            return False
        recorded = entry.get("outputs", {})
        return all(path.name in recorded and path.exists()
                   and self.fingerprint(path) == recorded[path.name] for path in outputs)

    def record(self, stage: str, key: str, outputs: list[Path]) -> list[Path]:
        """Record what ``stage`` made; remove what it made last time and no longer makes.

        A rerun without ``--vertical`` must not leave the last run's vertical video in
        the folder for ``studio publish`` to import. Returns the removed files.
        """
        fingerprints = {path.name: self.fingerprint(path) for path in outputs}
        with self._lock:
            previous = self.stages.get(stage, {}).get("outputs", {})
            removed = self._remove(name for name in previous if name not in fingerprints)
            self.stages[stage] = {"key": key, "outputs": fingerprints}
            self._save()
        return removed

    def forget(self, stage: str) -> list[Path]:
        """``stage`` is not in this run's plan (e.g. ``--bumpers`` left off): remove its
        outputs of an earlier run, so the folder holds only this configuration's files."""
        with self._lock:
            if stage not in self.stages:
                return []
            removed = self._remove(self.stages[stage].get("outputs", {}))
            del self.stages[stage]
            self._save()
        return removed

    def _remove(self, names) -> list[Path]:
        # Files go before the manifest entry: a crash in between leaves an entry whose
        # outputs are missing, which only makes the stage run again.
        removed = []
        for path in (self.path.parent / name for name in names):
            if path.exists():
                path.unlink()
                removed.append(path)
            self.files.pop(str(path), None)
        return removed

    def _save(self) -> None:
        data = json.dumps({"version": MANIFEST_VERSION, "stages": self.stages,
                           "files": self.files}, ensure_ascii=False, indent=1, sort_keys=True)
        write_text(self.path, data)
