"""Automatic pre-check of contest submissions: the facts judges should not have to measure.

For each video: integrated loudness (ffmpeg ``ebur128``), whether it carries a
caption track, what is said (our transcription), the glossary's jargon density
and plain-language score on that transcript, and the contest rules it breaks.
Judges watch in a browser, which shows no MP4 ``mov_text`` track: each caption track
and the transcript are written next to the video as WebVTT for the judge's player.
Reports are rows in the catalog; a failure is recorded on its own submission and
the run moves on to the next one.
"""
from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

import glossary
from episodes.contest import Contest, PrecheckReport, Submission
from episodes.uploads import caption_name, remove_stored, transcript_name
from glossary.errors import GlossaryError
from glossary.score import score as plain_language
from studio.errors import MediaError, StudioError
from studio.files import atomic_path, write_text
from studio.media import ffmpeg_exe, ffprobe_exe, stderr_tail
from studio.progress import NULL_PROGRESS, Progress
from subtitles.cue import Cue
from subtitles.errors import SubtitleError
from subtitles.io import dumps
from subtitles.transcript import Transcript

log = logging.getLogger(__name__)

# Web platforms normalise to about -14 to -16 LUFS and broadcast to -24; outside
# this range a phone speaker is either too quiet to follow or clipping.
LOUDNESS_RANGE = (-26.0, -13.0)
MIN_PLAIN_SCORE = 60
# What one submission may fail with without stopping the run (the speech model
# raises RuntimeError from CTranslate2; a deleted file raises OSError).
RECOVERABLE = (StudioError, GlossaryError, SubtitleError, OSError, RuntimeError)

Transcriber = Callable[[Path, Progress], Transcript]


@dataclass(frozen=True)
class Findings:
    loudness_lufs: float | None
    has_caption_stream: bool
    speech_chars: int
    jargon_density: float
    plain_score: float
    violations: list[str]
    caption_tracks: int = 0
    transcript: list[list] | None = None  # [[start_ms, end_ms, text], ...]


def integrated_loudness(path: Path) -> float | None:
    """EBU R128 integrated loudness in LUFS; None when the audio is silent throughout."""
    args = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-protocol_whitelist", "file",
            "-i", str(path), "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"]
    result = subprocess.run(args, capture_output=True, text=True, errors="replace")
    summary = result.stderr.rpartition("Integrated loudness:")[2]
    found = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    if result.returncode != 0 or found is None:
        raise MediaError(f"could not measure loudness ({stderr_tail(result.stderr)})", path)
    value = float(found.group(1))
    return None if value <= -70 else value  # -70 LUFS is the meter's absolute gate


def caption_stream_count(path: Path) -> int:
    args = [ffprobe_exe(), "-v", "error", "-protocol_whitelist", "file", "-select_streams", "s",
            "-show_entries", "stream=index", "-of", "csv=p=0", str(path)]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise MediaError(f"ffprobe failed ({stderr_tail(result.stderr)})", path)
    return len(result.stdout.split())


def has_caption_stream(path: Path) -> bool:
    return caption_stream_count(path) > 0


def extract_captions(path: Path, tracks: int) -> None:
    """Write each caption track of the stored video as WebVTT next to it (the intake
    kept only text tracks, so ffmpeg converts each one)."""
    for track in range(tracks):
        with atomic_path(path.with_name(caption_name(path.name, track))) as vtt:
            args = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file",
                    "-i", str(path), "-map", f"0:s:{track}", "-f", "webvtt", str(vtt)]
            result = subprocess.run(args, capture_output=True, text=True, errors="replace")
            if result.returncode != 0:
                raise MediaError(f"could not convert caption track {track + 1} to WebVTT "
                                 f"({stderr_tail(result.stderr)})", path)


def write_transcript(path: Path, transcript: Transcript) -> list[list]:
    """The recognised speech as rows for the report, written as WebVTT next to the video."""
    rows = [[s.start_ms, s.end_ms, s.text.strip()] for s in transcript.segments if s.text.strip()]
    write_text(path.with_name(transcript_name(path.name)),
               dumps([Cue(start, end, (text,)) for start, end, text in rows], "vtt"))
    return rows


def violations(contest: Contest, submission: Submission, findings: Findings,
               forbidden: list[str]) -> list[str]:
    """The rules a submission breaks, in words organisers and judges read (Chinese)."""
    found = []
    if submission.duration_ms > contest.max_duration_ms:
        found.append(f"时长超过 {contest.max_duration_ms // 1000} 秒上限")
    if min(submission.width, submission.height) < contest.min_height:
        found.append(f"分辨率低于 {contest.min_height}p")
    low, high = LOUDNESS_RANGE
    if findings.loudness_lufs is None or not low <= findings.loudness_lufs <= high:
        found.append(f"响度不在 {low:.0f} 至 {high:.0f} LUFS 的建议范围内")
    if findings.speech_chars == 0:
        found.append("未识别出讲解语音")
    elif not findings.has_caption_stream:
        found.append("有讲解语音但没有字幕轨（如字幕已压制在画面中，请人工确认）")
    if findings.speech_chars and findings.plain_score < MIN_PLAIN_SCORE:
        found.append(f"通俗易懂评分低于 {MIN_PLAIN_SCORE} 分，术语较多")
    found += [f"出现不应对公众使用的说法：{term}" for term in forbidden]
    return found


class ReportProgress:
    """Shows the transcription's progress as 20–80 % of the pre-check on the report (the
    other steps are quick), while passing everything on to the caller's progress."""

    def __init__(self, report: Callable[[int], None], inner: Progress = NULL_PROGRESS):
        self.report, self.inner = report, inner

    def bar(self, total: float | None, desc: str, unit: str = "s") -> "_ReportBar":
        return _ReportBar(total or 0, self.report, self.inner.bar(total, desc, unit))

    def message(self, text: str) -> None:
        self.inner.message(text)


class _ReportBar:
    STEP = 5  # percent between two writes of the report

    def __init__(self, total: float, report: Callable[[int], None], inner):
        self.total, self.report, self.inner = total, report, inner
        self.done, self.shown = 0.0, 20

    def update(self, n: float) -> None:
        self.inner.update(n)
        self.done += n
        percent = 20 + int(60 * min(self.done / self.total, 1)) if self.total else 20
        if percent >= self.shown + self.STEP:
            self.shown = percent
            self.report(percent)

    def close(self) -> None:
        self.inner.close()


def check(path: Path, contest: Contest, submission: Submission, transcribe: Transcriber,
          report: Callable[[int], None] = lambda percent: None,
          progress: Progress = NULL_PROGRESS) -> Findings:
    """Measure one stored video; ``report(percent)`` is called as stages finish."""
    loudness, tracks = integrated_loudness(path), caption_stream_count(path)
    extract_captions(path, tracks)
    report(20)
    transcript = transcribe(path, ReportProgress(report, progress))
    rows = write_transcript(path, transcript)
    report(80)
    scored = plain_language(transcript.text, glossary.load_default())
    forbidden = sorted({m.term.term for m in scored.matches if m.term.status == "forbidden"})
    findings = Findings(loudness, tracks > 0, scored.chars, scored.density, scored.score, [],
                        tracks, rows)
    return Findings(**{**findings.__dict__,
                       "violations": violations(contest, submission, findings, forbidden)})


def default_transcriber(path: Path, progress: Progress) -> Transcript:
    """Our transcription with the configured model (loaded once per process)."""
    from studio.transcribe import TranscribeOptions, transcribe_file

    return transcribe_file(path, TranscribeOptions(), progress)


def pending(session: Session) -> list[int]:
    """Submissions whose pre-check never finished (pending, or interrupted while running)."""
    return list(session.scalars(select(PrecheckReport.submission_id).where(
        PrecheckReport.status.in_(("pending", "running"))).order_by(PrecheckReport.submission_id)))


def run(factory: sessionmaker[Session], uploads: Path, submission_ids: list[int],
        transcribe: Transcriber = default_transcriber,
        progress: Progress = NULL_PROGRESS) -> tuple[int, int]:
    """Pre-check each submission in turn; return (done, failed). One failure never
    stops the others: it is recorded on that submission's report."""
    bar = progress.bar(len(submission_ids), "pre-check", unit="video")
    failed = 0
    try:
        for submission_id in submission_ids:
            failed += not run_one(factory, uploads, submission_id, transcribe, progress)
            bar.update(1)
    finally:
        bar.close()
    return len(submission_ids) - failed, failed


def run_one(factory: sessionmaker[Session], uploads: Path, submission_id: int,
            transcribe: Transcriber = default_transcriber, progress: Progress = NULL_PROGRESS) -> bool:
    """Pre-check one submission and store the report; False when it failed."""
    with factory() as session:
        report = session.scalar(select(PrecheckReport).where(
            PrecheckReport.submission_id == submission_id))
        submission = session.get(Submission, submission_id)
        contest = session.get(Contest, submission.contest_id)
        code, stored = submission.code, uploads / contest.slug / submission.stored_name
        try:
            _save(session, report, status="running", progress=0, error="")
            try:
                findings = check(stored, contest, submission, transcribe,
                                 lambda percent: _save(session, report, progress=percent), progress)
            except RECOVERABLE as exc:
                log.warning("pre-check of %s failed: %s", code, exc)
                # Judges read this: name the submission, never the server's folders.
                problem = getattr(exc, "problem", str(exc)).replace(str(stored), code)
                _save(session, report, status="failed", error=problem)
                return False
            _save(session, report, status="done", progress=100, **findings.__dict__)
            return True
        except (StaleDataError, ObjectDeletedError):
            # The entrant withdrew the entry or replaced its video during the check: its
            # report is gone, and the files this run wrote beside the old video go too.
            session.rollback()
            remove_stored(stored.parent, stored.name)
            log.info("%s was withdrawn or replaced during its pre-check", code)
            return True


def _save(session: Session, report: PrecheckReport, **fields) -> None:
    for name, value in fields.items():
        setattr(report, name, value)
    session.commit()

