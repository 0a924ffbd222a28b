"""Publishing a work folder: import its deliverables into the media library, record
the episode in the catalog, and publish it now or schedule it.

Order matters for "nothing half-written": everything that can be refused (missing
folder, bad episode.json, slug clash, a time in the past, wrong artwork size) is
checked before a byte is copied; files are copied atomically into content-addressed
paths inside the catalog transaction, so a failure leaves at most unreferenced
library files and never a changed published one.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from PIL import Image, UnidentifiedImageError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from episodes.assets import TIMED, AssetKind
from episodes.catalog import AssetInfo, CueText, find_episode, save_episode
from episodes.db import make_sessionmaker, transaction
from episodes.feed import artwork_problem
from episodes.library import Placement, mime_type, place
from episodes.live import link_recording
from episodes.models import Episode
from episodes.publishing import publish_now, schedule
from episodes.record import EpisodeRecord
from episodes.review import (NotApproved, approve, import_log, require_approved, review_log,
                             store_uncertain_words, submit)
from studio.errors import StudioError
from studio.files import atomic_path
from studio.media import probe
from studio.stages.artwork import ensure_programme_artwork
from studio.reviewed import load_log
from studio.workdir import WorkDir
from subtitles import io as subtitle_io
from subtitles.cue import Cue
from subtitles.review import ReviewLog
from subtitles.transcript import Transcript, Word

# (asset kind, variant, where the pipeline leaves it)
DELIVERABLES: tuple[tuple[AssetKind, str, Callable[[WorkDir], Path]], ...] = (
    (AssetKind.WEB_VIDEO, "", lambda w: w.web_video),
    (AssetKind.BURNED_VIDEO, "", lambda w: w.burned_video),
    (AssetKind.VERTICAL_VIDEO, "", lambda w: w.vertical_video),
    (AssetKind.PODCAST_MP3, "", lambda w: w.podcast_mp3),
    (AssetKind.PODCAST_M4A, "", lambda w: w.podcast_m4a),
    (AssetKind.POSTER, "", lambda w: w.poster),
    (AssetKind.COVER, "", lambda w: w.cover),
    (AssetKind.SUBTITLES, "verbatim", lambda w: w.subtitles("verbatim", "vtt")),
    (AssetKind.SUBTITLES, "verbatim", lambda w: w.subtitles("verbatim", "srt")),
    (AssetKind.SUBTITLES, "plain", lambda w: w.subtitles("plain", "vtt")),
    (AssetKind.SUBTITLES, "plain", lambda w: w.subtitles("plain", "srt")),
    # Without the words of private spans; a folder made before review has only the machine's.
    (AssetKind.TRANSCRIPT_JSON, "", lambda w: w.public_transcript if w.public_transcript.is_file()
     else w.transcript),
)


@dataclass(frozen=True)
class Published:
    episode_id: int
    slug: str
    status: str
    publish_at: datetime | None
    copied: int
    assets: int


@dataclass(frozen=True)
class Gate:
    """The approval gate as one publish meets it (see :func:`episodes.review.require_approved`)."""

    required: bool = True  # setting review_required
    # Plain-language wording of a cue for the public transcript (the office's glossary).
    plain: Callable[[str], str] = str
    # Who publishes without review (``--unreviewed``): recorded as an unreviewed approval.
    unreviewed_by: str | None = None


def publish_workdir(root: Path, engine: Engine, media_root: Path, now: datetime,
                    at: datetime | None = None, replace: bool = False,
                    live: int | None = None, gate: Gate = Gate()) -> Published:
    """Import ``root`` and publish it now, or at ``at`` (UTC); ``live`` names the
    live broadcast this recording came from.

    The folder's review log comes into the catalog first (refused, naming both, when
    the catalog and the folder both changed since their last common revision), then
    the approval gate decides; a refusal leaves the catalog and the library as they were.
    """
    work = _work_folder(root)
    log = load_log(work)
    with transaction(make_sessionmaker(engine)) as session:
        episode, plans = import_workdir(session, work, media_root, replace)
        take_review(session, episode, work, log, gate.plain)
        try:
            require_approved(session, episode, gate_on=gate.required, plain=gate.plain,
                             unreviewed_by=gate.unreviewed_by)
        except NotApproved:
            raise StudioError(
                f"the captions are not approved (审核): run `studio review submit {root}`, approve them in "
                "the workspace (/review/) and publish there, or publish with --unreviewed", root) from None
        _publish_or_schedule(episode, at, now)
        if live is not None:
            link_recording(session, live, episode.id)
        copied = copy_into_library(plans)
        ensure_programme_artwork(media_root, episode.kind)
        result = Published(episode.id, episode.slug, episode.status, episode.publish_at,
                           copied, len(plans))
    return result


def submit_workdir(root: Path, engine: Engine, media_root: Path, by: str, now: datetime,
                   replace: bool = False, plain: Callable[[str], str] = str) -> str:
    """Import ``root`` into the catalog as a draft asking for review (待审) and return its
    slug: the same import as :func:`publish_workdir` (review log, unsure words, files into
    the library, for the workspace's player), but nothing is published, so no approval is
    needed first. This is how a freshly run folder reaches the browser workspace."""
    work = _work_folder(root)
    log = load_log(work)
    if log.current is None:
        raise StudioError("has no captions to review yet (no review.json): run `studio run` first",
                          work.review)
    with transaction(make_sessionmaker(engine)) as session:
        episode, plans = import_workdir(session, work, media_root, replace)
        take_review(session, episode, work, log, plain)
        submit(session, episode, by, now)
        copy_into_library(plans)
        ensure_programme_artwork(media_root, episode.kind)
        slug = episode.slug
    return slug


def import_workdir(session: Session, work: WorkDir, media_root: Path,
                   replace: bool) -> tuple[Episode, list[Placement]]:
    """Record the folder's episode and deliverables in the catalog (the caller's
    transaction); returns the episode and where each deliverable goes in the library
    (:func:`copy_into_library` copies them, once nothing can be refused any more)."""
    record = EpisodeRecord.load(work.metadata)
    assets, plans = asset_plans(work, media_root, record.slug)
    episode = save_episode(session, record, assets, transcript_cues(work), replace=replace)
    episode.work_folder = str(work.root.resolve())
    store_uncertain_words(session, episode, heard_words(work))
    return episode, plans


def asset_plans(work: WorkDir, media_root: Path, slug: str) -> tuple[list[AssetInfo], list[Placement]]:
    """The folder's deliverables as catalog rows, and where each goes in the library."""
    found = [(kind, variant, path(work)) for kind, variant, path in DELIVERABLES]
    found = [(kind, variant, path) for kind, variant, path in found if path.is_file()]
    _check_cover(work.cover)
    plans = [(kind, variant, place(media_root, slug, path)) for kind, variant, path in found]
    return [_asset_info(kind, variant, plan) for kind, variant, plan in plans], [plan for _, _, plan in plans]


def heard_words(work: WorkDir) -> list[Word]:
    """The recogniser's words with their probabilities, spelled as revision 1 shows them
    (after glossary correction) and without the words of private spans (the catalog must
    not hold a caller's name), for the workspace to mark the unsure ones."""
    for path in (work.public_transcript, work.corrected_transcript, work.transcript):
        if path.is_file():
            return [word for segment in Transcript.load(path).segments for word in segment.words]
    return []


def copy_into_library(plans: list[Placement]) -> int:
    """Copy each planned file unless identical bytes are already there; how many were copied."""
    return sum(_copy(plan) for plan in plans)


def take_review(session: Session, episode: Episode, work: WorkDir, log: ReviewLog,
                plain: Callable[[str], str]) -> None:
    """Bring the folder's revisions (and an approval given to its current one with
    `studio review approve`) into the catalog; ``plain`` words the approved text."""
    if log.current is not None:
        import_log(session, episode, log, str(work.review))
        catalog = review_log(session, episode.id)
        if catalog.current.number > log.current.number:
            raise StudioError(
                f"the catalog has revision {catalog.current.number} ({catalog.current.author}, "
                f"{catalog.current.created_at}), newer than this folder's {log.current.number}: let "
                "`studio worker` re-derive the folder from it (episode.rederive), then publish", work.review)
        if log.is_approved and not catalog.is_approved:
            approval = log.approvals[-1]
            approve(session, episode, approval.by, plain, revision=approval.revision,
                    now=datetime.fromisoformat(approval.at))


def publish_episode(ref: str, engine: Engine, now: datetime, at: datetime | None = None,
                    gate: Gate = Gate()) -> str:
    """Publish (or schedule) the catalog episode ``ref`` (slug or id); return its slug."""
    with transaction(make_sessionmaker(engine)) as session:
        episode = find_episode(session, ref)
        require_approved(session, episode, gate_on=gate.required, plain=gate.plain,
                         unreviewed_by=gate.unreviewed_by)
        _publish_or_schedule(episode, at, now)
        return episode.slug


def _publish_or_schedule(episode: Episode, at: datetime | None, now: datetime) -> None:
    if at is None:
        publish_now(episode, now)
    else:
        schedule(episode, at, now)


def _work_folder(root: Path) -> WorkDir:
    if not root.is_dir():
        raise StudioError("no such work folder (or episode slug in the catalog)", root)
    work = WorkDir(root)
    if not work.metadata.is_file():
        raise StudioError("episode.json is missing: run `studio run` on the recording first",
                          work.metadata)
    return work


def _check_cover(path: Path) -> None:
    if not path.is_file():
        return
    try:
        with Image.open(path) as image:
            size = image.size
    except (OSError, UnidentifiedImageError) as exc:
        raise StudioError(f"not a readable image ({exc})", path) from exc
    problem = artwork_problem(*size)
    if problem:
        raise StudioError(problem, path)


def _asset_info(kind: AssetKind, variant: str, plan: Placement) -> AssetInfo:
    duration = probe(plan.source).duration_ms if kind in TIMED else 0
    return AssetInfo(kind, variant, plan.relpath, mime_type(plan.source), plan.bytes, duration,
                     plan.sha256)


def _copy(plan: Placement) -> int:
    """Copy into the library unless identical bytes are already there; 1 if copied."""
    if plan.exists:
        return 0
    with atomic_path(plan.target) as tmp:
        shutil.copyfile(plan.source, tmp)
    return 1


def transcript_cues(work: WorkDir) -> list[CueText]:
    """The verbatim cues, each with the plain-language text shown over the same time."""
    verbatim = _first_track(work, "verbatim")
    plain = _first_track(work, "plain")
    return [CueText(c.start_ms, c.end_ms, c.text, _plain_text(c, plain)) for c in verbatim]


def _first_track(work: WorkDir, variant: str) -> list[Cue]:
    for fmt in ("vtt", "srt"):
        if work.subtitles(variant, fmt).is_file():
            return subtitle_io.load(work.subtitles(variant, fmt))
    return []


def _plain_text(cue: Cue, plain: list[Cue]) -> str:
    return "".join(p.text for p in plain if cue.start_ms <= p.start_ms < cue.end_ms)
