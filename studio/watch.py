"""Watch an inbox folder: process each new recording once it has stopped growing.

One recording at a time. The state file (``INBOX/.studio-watch.json``) remembers
every file already handled, with its size and modification time, so a restart
neither redoes finished recordings nor forgets failed ones; a file replaced by a
new version is processed again.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Callable, Iterator

from studio.files import write_text
from studio.pipeline import StageResult, run_stages
from studio.stages.job import Job
from studio.workdir import WorkDir

log = logging.getLogger(__name__)

MEDIA_SUFFIXES = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".mts",
                  ".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".opus"}
STATE_NAME = ".studio-watch.json"

Snapshot = dict[str, list[int]]


def snapshot(inbox: Path) -> Snapshot:
    """Size and mtime of each visible media file (hidden names are copies in flight)."""
    found = {}
    for path in sorted(inbox.iterdir()):
        if path.suffix.lower() not in MEDIA_SUFFIXES or path.name.startswith("."):
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while we looked: it is simply not there
            continue
        if path.is_file():
            found[path.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def _load_state(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("%s is unreadable; starting with an empty watch state", path)
        return {}


def watch_folder(inbox: Path, make_job: Callable[[Path], Job],
                 summarize: Callable[[WorkDir, list[StageResult], float], str],
                 errors: tuple[type[BaseException], ...], settle: float = 5.0,
                 once: bool = False, sleep: Callable[[float], None] = time.sleep) -> Iterator[str]:
    """Yield one result line per recording processed; with ``once``, stop after one pass."""
    state_path = inbox / STATE_NAME
    state = _load_state(state_path)
    before = snapshot(inbox)
    while True:
        sleep(settle)
        now = snapshot(inbox)
        for name, stamp in now.items():
            if before.get(name) == stamp and state.get(name, {}).get("stamp") != stamp:
                line, ok = _process(make_job(inbox / name), summarize, errors)
                state[name] = {"stamp": stamp, "ok": ok, "result": line}
                write_text(state_path, json.dumps(state, ensure_ascii=False, indent=1))
                yield line
        if once:
            return
        before = now


def _process(job: Job, summarize, errors) -> tuple[str, bool]:
    """Run the pipeline on one recording; a bad recording is logged, not fatal."""
    log.info("processing %s", job.source)
    started = time.perf_counter()
    try:
        results = run_stages(job)
        line = summarize(job.work, results, time.perf_counter() - started)
    except errors as exc:
        log.error("%s failed: %s", job.source.name, exc)
        return f"FAILED {exc}", False
    log.info("%s", line)
    return line, True
