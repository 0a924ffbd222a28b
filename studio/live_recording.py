"""A broadcast's recording becomes a draft episode (job ``live.finish``).

The site enqueues the job each time the encoder stops (``web.live``). The job waits
out the grace period; if the encoder came back, that push continues the broadcast
and its own stop enqueues the job again. Otherwise nginx's recordings of the
broadcast (one FLV per push, in order) go through the whole pipeline in
``LIVE_PATH/work/b12`` as a call-in episode with the broadcast's topic and guests,
the live captions are kept there as ``live-captions.vtt`` (to compare with the
offline transcription in review), and the work folder is imported into the catalog
as a draft linked to its broadcast. Run twice, it finds the broadcast linked and
does nothing.
"""
from __future__ import annotations

import logging
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from episodes.db import make_sessionmaker, transaction
from episodes.live import episode_record, link_recording, stream_name
from episodes.jobs import JobProgress
from episodes.models import LiveBroadcast, as_utc, utcnow
from studio.environment import Environment
from studio.errors import StudioError
from studio.files import atomic_path, write_text
from studio.live_captions import end_playlist
from studio.live_server import LivePaths, recording_ms, recordings_of
from studio.media import ffmpeg_exe, stderr_tail
from subtitles.cue import Cue
from subtitles.io import dumps, load

log = logging.getLogger(__name__)

LIVE_CAPTIONS = "live-captions.vtt"


def finish_broadcast(env: Environment, engine: Engine, broadcast_id: int, progress: JobProgress) -> None:
    """Wait out the grace period, then make the recording a draft episode (see module)."""
    grace = timedelta(seconds=env.setting_int("live_grace_seconds", 0, 86_400))
    while True:
        with Session(engine) as session:
            show = session.get(LiveBroadcast, broadcast_id)
            if show is None or show.episode_id is not None or show.publisher or show.stopped_at is None:
                return  # gone, done by an earlier run, or back on air
            wait = (as_utc(show.stopped_at) + grace - utcnow()).total_seconds()
            if wait <= 0:
                session.expunge(show)
                break
        progress.set(0.0, f"waiting {wait:.0f} s for the encoder to come back", force=True)
        time.sleep(wait)
    paths = LivePaths.from_settings(env)
    name = stream_name(show)
    work = paths.root / "work" / name
    work.mkdir(parents=True, exist_ok=True)
    end_playlist(paths.captions(name))
    pushes = [recording for recording in recordings_of(paths, name) if recording_ms(recording) is not None]
    source = joined_recording(pushes, work / "recording.flv")
    write_text(work / LIVE_CAPTIONS, dumps(live_cues(paths.captions(name)), "vtt"))
    from studio.tasks import pipeline_run  # one way through the pipeline, as its job runs it

    record = episode_record(show, str(source))
    pipeline_run(env, work, {"source": str(source), "episode": record.to_dict()}, progress)
    _import_draft(env, engine, work, broadcast_id)


def joined_recording(recordings: list[Path], target: Path) -> Path:
    """The broadcast's one recording, or its pushes joined end to end (no re-encoding)."""
    if not recordings:
        raise StudioError("no recording of this broadcast (did the encoder ever push?)", target.parent)
    if len(recordings) == 1:
        return recordings[0]
    listing = target.with_name("recordings.txt")
    write_text(listing, "".join(f"file '{path}'\n" for path in recordings))
    with atomic_path(target) as temporary:
        done = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-f", "concat", "-safe", "0",
                               "-i", str(listing), "-c", "copy", "-f", "flv", "-y", str(temporary)],
                              capture_output=True)
        if done.returncode != 0:
            raise StudioError(f"cannot join the recordings ({stderr_tail(done.stderr)})", listing)
    return target


def live_cues(folder: Path) -> list[Cue]:
    """The live captions as shown, from the caption segments: each caption once, whole
    (a caption on screen across a segment boundary is in both segments)."""
    cues: list[Cue] = []
    for segment in sorted(folder.glob("seg-*.vtt"), key=lambda p: int(p.stem[4:])):
        for cue in load(segment):
            if cues and cues[-1].lines == cue.lines and cues[-1].end_ms >= cue.start_ms - 1:
                cues[-1] = Cue(cues[-1].start_ms, cue.end_ms, cues[-1].lines)
            else:
                cues.append(cue)
    return cues


def _import_draft(env: Environment, engine: Engine, work: Path, broadcast_id: int) -> None:
    from studio.publish import copy_into_library, import_workdir
    from studio.workdir import WorkDir

    media_root = Path(env.setting("instance_path")) / "media"
    with transaction(make_sessionmaker(engine)) as session:
        episode, plans = import_workdir(session, WorkDir(work), media_root, replace=False)
        link_recording(session, broadcast_id, episode.id)
        copy_into_library(plans)
    log.info("live broadcast %d is draft episode #%d (%s)", broadcast_id, episode.id, work)
