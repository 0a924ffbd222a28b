"""The ``episode.rederive`` job: after an edit is approved in the browser, the episode's
work folder and published files follow the approved text.

The site enqueues it (target: the episode's slug; ``revision``: the approved number)
and ``studio worker`` runs it: the catalog's review log is written into the folder the
episode was published from (``review.json`` and the verbatim tracks), the derived
stages run again (plain track, videos; the podcast only if a private span changed;
never the transcription), and the new files go into the media library beside the old
ones (content-addressed), on the same episode row, so feeds keep its GUID. The public
transcript is the catalog's already (approving wrote it).

Safe to run twice: an outdated job (the text changed again since its approval) does
nothing, and a second run finds every stage up to date.
"""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from episodes.catalog import replace_assets
from episodes.db import make_sessionmaker, transaction
from episodes.jobs import JobProgress, PermanentFailure
from episodes.models import Episode
from episodes.review import review_log
from studio.captions import write_subtitles
from studio.errors import StudioError
from studio.manifest import Manifest
from studio.pipeline import RENDER_STAGES, TEXT_STAGES, exclusive, run_stages
from studio.publish import asset_plans, copy_into_library
from studio.reviewed import TRACK_FORMATS, load_log, save_log, write_public_transcript
from studio.stages.ingest import read_record
from studio.stages.job import Job, RenderOptions, TextOptions
from studio.workdir import WorkDir
from subtitles.review import ReviewLog

log = logging.getLogger(__name__)

REDERIVE = "episode.rederive"
# What follows from the text: the plain track and the renders (the verbatim tracks are
# written here, from the log, so the verbatim stage never re-reads the machine text).
DERIVED_STAGES = tuple(s for s in TEXT_STAGES if s.name == "plain") + RENDER_STAGES


def rederive(engine: Engine, media_root: Path, text: TextOptions, render: RenderOptions,
             slug: str, revision: int | None, progress: JobProgress) -> None:
    """Re-derive episode ``slug`` from its catalog text (approved revision ``revision``)."""
    with Session(engine) as session:
        episode = session.scalar(select(Episode).where(Episode.slug == slug))
        if episode is None:
            return  # deleted since the approval
        catalog, folder = review_log(session, episode.id), episode.work_folder
    if catalog.current is None or (revision is not None and catalog.current.number != revision):
        log.info("%s: revision %s is no longer current; a later approval re-derives it", slug, revision)
        return
    if not folder:
        raise StudioError("has no work folder on record (published before episodes remembered "
                          "theirs): publish its folder again with `studio publish FOLDER --replace`", slug)
    work = WorkDir(Path(folder))
    progress.set(0.02, "writing the approved text into the work folder", force=True)
    write_back(work, catalog)
    job = Job(work, Path(read_record(work).source), text=text,
              render=_folder_render(work, render), progress=progress)
    run_stages(job, DERIVED_STAGES)
    progress.set(0.97, "adding the new files to the media library", force=True)
    with transaction(make_sessionmaker(engine)) as session:
        episode = session.scalar(select(Episode).where(Episode.slug == slug))
        if episode is None:
            return
        assets, plans = asset_plans(work, media_root, slug)
        replace_assets(session, episode, assets)
        copy_into_library(plans)


def write_back(work: WorkDir, catalog: ReviewLog) -> None:
    """``review.json`` and the verbatim tracks from the catalog's log, recorded in the
    manifest as the verbatim stage's own outputs (so a rerun sees no editor edit).

    Refused for good (:class:`PermanentFailure`, no retry: only a person can choose),
    naming both, when the folder has revisions the catalog lacks (a subtitle file edited
    since publishing): nothing is overwritten.
    """
    if not work.metadata.is_file():
        raise StudioError("the episode's work folder is gone or incomplete (no episode.json)", work.root)
    with exclusive(work):
        folder = load_log(work)
        ahead = folder.revisions[_common(folder, catalog):]
        if ahead:
            raise PermanentFailure(
                f"{work.review}: has revision {ahead[-1].number} ({ahead[-1].author}, "
                f"{ahead[-1].created_at}) that the catalog lacks, and the catalog has revision "
                f"{catalog.current.number} ({catalog.current.author}): nothing was overwritten; move "
                f"{work.review.name} aside (keep it to compare), save in the workspace the text to keep "
                "from it as a new revision, then approve again",
                f"工作文件夹里的字幕在网页修改之后又被直接改过（第 {ahead[-1].number} 版，"
                f"{ahead[-1].author}），与网页上的第 {catalog.current.number} 版（{catalog.current.author}）"
                "冲突。为了不覆盖任何修改，新视频没有生成。请技术人员把工作文件夹里的 review.json "
                "移到别处保存，再在本页把其中要保留的修改录入、保存为新版本，然后重新审核通过。")
        save_log(work, catalog)
        write_subtitles(list(catalog.current.cues), work.root / "verbatim", TRACK_FORMATS)
        write_public_transcript(work, catalog.current.private)
        manifest = Manifest(work.manifest)
        entry = manifest.stages.get("verbatim")
        if entry:
            manifest.record("verbatim", entry["key"], [work.root / name for name in entry["outputs"]])


def _common(folder: ReviewLog, catalog: ReviewLog) -> int:
    """How many first revisions the two logs share (same text, spans and source)."""
    count = 0
    for ours, theirs in zip(folder.revisions, catalog.revisions):
        if (ours.cues, ours.private, ours.source) != (theirs.cues, theirs.private, theirs.source):
            break
        count += 1
    return count


def _folder_render(work: WorkDir, render: RenderOptions) -> RenderOptions:
    """The worker's encoder settings with the deliverables this folder was made with."""
    stages = Manifest(work.manifest).stages
    vertical = work.vertical_video.name in stages.get("video", {}).get("outputs", {})
    return RenderOptions(vertical=vertical, bumpers="bumpers" in stages, preset=render.preset, crf=render.crf)
