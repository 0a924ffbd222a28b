"""The resumable pipeline: the stage list, assembled here and nowhere else.

Each stage says which files it consumes and produces and which parameters shape
its work. The manifest (``WorkDir.manifest``) records, per stage, a hash of those
inputs and parameters and the fingerprints of its outputs; a rerun skips a stage
whose hash still matches and whose outputs are untouched, so editing the glossary
redoes the plain track and the videos but never the transcription.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from studio.errors import StudioError
from studio.files import write_text
from studio.stages import artwork, bumpers, captions, ingest, podcast, render
from studio.stages.job import Job
from studio.workdir import WorkDir

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Stage:
    name: str
    consumes: Callable[[Job], list[Path]]
    produces: Callable[[Job], list[Path]]
    params: Callable[[Job], dict]
    run: Callable[[Job], None]
    skip_reason: Callable[[Job], str | None] = lambda job: None


def _stage(name: str, module) -> Stage:
    return Stage(name, module.consumes, module.produces, module.params, module.run,
                 getattr(module, "skip_reason", lambda job: None))


TEXT_STAGES = (
    _stage("ingest", ingest),
    _stage("transcribe", captions.transcribe_stage),
    _stage("verbatim", captions.verbatim_stage),
    _stage("plain", captions.plain_stage),
)
RENDER_STAGES = (
    _stage("video", render),
    _stage("artwork", artwork),
    _stage("podcast", podcast),
    _stage("bumpers", bumpers),
)
STAGES = TEXT_STAGES + RENDER_STAGES


@dataclass(frozen=True)
class StageResult:
    name: str
    status: str  # "done", "up to date" or "skipped"
    seconds: float = 0.0
    note: str = ""


class Manifest:
    """Per-stage hashes and output fingerprints, saved atomically after each stage.

    File hashes are cached by (size, mtime) so a rerun does not re-read a two-hour
    recording just to learn nothing changed.
    """

    def __init__(self, path: Path):
        self.path = path
        data = self._read(path)
        self.stages: dict[str, dict] = data.get("stages", {})
        self.files: dict[str, list] = data.get("files", {})

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
        stat = path.stat()
        cached = self.files.get(str(path))
        if cached and cached[:2] == [stat.st_size, stat.st_mtime_ns]:
            return cached[2]
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        self.files[str(path)] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
        return digest.hexdigest()

    def key(self, stage: Stage, job: Job) -> str:
        """Hash of what the stage reads and how it is asked to work."""
        inputs = {path.name: self.fingerprint(path) for path in stage.consumes(job)}
        blob = json.dumps({"inputs": inputs, "params": stage.params(job)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def is_current(self, stage: Stage, job: Job, key: str) -> bool:
        entry = self.stages.get(stage.name)
        if not entry or entry.get("key") != key:
            return False
        outputs = entry.get("outputs", {})
        wanted = {path.name for path in stage.produces(job)}
        return wanted <= set(outputs) and all(
            (job.work.root / name).exists()
            and self.fingerprint(job.work.root / name) == digest
            for name, digest in outputs.items())

    def record(self, stage: Stage, job: Job, key: str) -> None:
        outputs = {path.name: self.fingerprint(path) for path in stage.produces(job)}
        self.stages[stage.name] = {"key": key, "outputs": outputs}
        self.save()

    def save(self) -> None:
        data = {"version": MANIFEST_VERSION, "stages": self.stages, "files": self.files}
        write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


def run_stages(job: Job, stages: tuple[Stage, ...] = STAGES,
               clock: Callable[[], float] = time.perf_counter) -> list[StageResult]:
    """Run ``stages`` in order on ``job``, skipping the ones already up to date.

    Probes the source first, so a corrupt or empty recording fails before any file
    is written.
    """
    job.media  # noqa: B018 -- raises MediaError naming the file
    job.work.root.mkdir(parents=True, exist_ok=True)
    with _exclusive(job.work):
        _remove_leftovers(job.work)
        manifest = Manifest(job.work.manifest)
        return [_run_one(stage, job, manifest, clock) for stage in stages]


@contextlib.contextmanager
def _exclusive(work: WorkDir) -> Iterator[None]:
    """One pipeline per work folder (`studio watch` and a person may both start one)."""
    with (work.root / ".studio.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StudioError("another studio command is working in this folder; "
                              "wait for it to finish", work.root) from None
        yield


def _remove_leftovers(work: WorkDir) -> None:
    """Temporary files of a run that was killed (SIGKILL, power loss) before cleaning up."""
    for path in work.root.glob(".*.part.*"):
        path.unlink(missing_ok=True)
    for path in work.root.glob(".render-*"):
        shutil.rmtree(path, ignore_errors=True)


def _run_one(stage: Stage, job: Job, manifest: Manifest, clock) -> StageResult:
    reason = stage.skip_reason(job)
    if reason:
        job.progress.message(f"{stage.name}: skipped, {reason}")
        return StageResult(stage.name, "skipped", note=reason)
    missing = [path for path in stage.consumes(job) if not path.exists()]
    if missing:
        raise StudioError(f"missing, and stage {stage.name!r} needs it (check the path, "
                          "or run the earlier stages with `studio run`)", missing[0])
    key = manifest.key(stage, job)
    if manifest.is_current(stage, job, key):
        return StageResult(stage.name, "up to date")
    started = clock()
    stage.run(job)
    manifest.record(stage, job, key)
    return StageResult(stage.name, "done", clock() - started)
