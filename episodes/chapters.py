"""Podcast chapters from the public transcript, as a Podcasting 2.0 JSON chapters file.

Neither programme has sections a person marks, so chapters come from the cues: one
every few minutes, cut where the speaker stops (the longest pause, a sentence end
counting extra) within a minute after the three-minute mark, and titled by the
opening words of the chapter. Built from ``transcript_cues``, which hold the last
approved text, so a correction approved in review reaches the chapter titles too.

Example::

    marks = chapters([(0, 4000, "欢迎收听武陵政务直播间。"), ...])
    document = chapters_document(marks, title="户口迁移怎么办", podcast="武陵政务直播间")
    # {"version": "1.2.0", "chapters": [{"startTime": 0.0, "title": "欢迎收听武陵政务直播间"}, ...]}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.models import TranscriptCue
from subtitles.linebreak import atoms, ends_with
from subtitles.speech import CLAUSE_ENDINGS
from subtitles.text import display_width

VERSION = "1.2.0"  # of the JSON chapters format
MIME_TYPE = "application/json+chapters"
CHAPTER_MS = 180_000  # aim for a chapter every three minutes...
SLACK_MS = 60_000  # ...cut at the best pause within the minute after that
MIN_LAST_MS = 60_000  # a chapter opening later than this before the end is too short
SENTENCE_END = "。！？!?…"
SENTENCE_BONUS_MS = 1_000  # a sentence end counts as a pause this much longer
TITLE_WIDTH = 16  # full-width characters; longer titles stop at a word and get "…"

CueRow = tuple[int, int, str]  # start_ms, end_ms, text


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    title: str


def chapters(cues: Sequence[CueRow]) -> list[Chapter]:
    """Chapters over ``cues`` (in time order); the first opens at 0, before any intro."""
    if not cues:
        return []
    openers = [0]
    while (cut := _next_cut(cues, openers[-1])) is not None:
        openers.append(cut)
    return [Chapter(0 if n == 0 else cues[i][0], _title(cues, i)) for n, i in enumerate(openers)]


def _next_cut(cues: Sequence[CueRow], opener: int) -> int | None:
    """The cue that opens the chapter after the one ``opener`` opens, or None."""
    opened = 0 if opener == 0 else cues[opener][0]
    last_useful = cues[-1][1] - MIN_LAST_MS
    later = [i for i in range(opener + 1, len(cues))
             if opened + CHAPTER_MS <= cues[i][0] <= last_useful]
    if not later:
        return None
    window = [i for i in later if cues[i][0] <= cues[later[0]][0] + SLACK_MS]
    return max(window, key=lambda i: (_pause_before(cues, i), -i))


def _pause_before(cues: Sequence[CueRow], index: int) -> int:
    before = cues[index - 1]
    bonus = SENTENCE_BONUS_MS if ends_with(before[2], SENTENCE_END) else 0
    return cues[index][0] - before[1] + bonus


def _title(cues: Sequence[CueRow], index: int) -> str:
    """The chapter's opening words: its first cue (the next ones too if that is a mere
    "好的"), up to the first clause mark, cut at a word when still long."""
    text = ""
    for _, _, cue_text in cues[index:index + 3]:
        text += cue_text.strip()
        if display_width(text) >= 4:
            break
    clause = _first_clause(text)
    if display_width(clause) <= TITLE_WIDTH:
        return clause
    kept = ""
    for atom in atoms(clause):
        if display_width(kept + atom) > TITLE_WIDTH - 1:
            break
        kept += atom
    return (kept or clause[:TITLE_WIDTH - 1]) + "…"


def _first_clause(text: str) -> str:
    """``text`` up to its first clause mark (which is dropped), past a too-short one."""
    for position, char in enumerate(text):
        if char in CLAUSE_ENDINGS and display_width(text[:position]) >= 4:
            return text[:position]
    return text.rstrip(CLAUSE_ENDINGS)


def chapters_document(marks: Sequence[Chapter], title: str, podcast: str) -> dict:
    """The JSON chapters file (version 1.2.0) for one episode."""
    return {"version": VERSION, "title": title, "podcastName": podcast,
            "chapters": [{"startTime": mark.start_ms / 1000, "title": mark.title}
                         for mark in marks]}


def episode_cues(session: Session, episode_id: int) -> list[CueRow]:
    """The public transcript of one episode, in order, as chapters needs it."""
    return [tuple(row) for row in session.execute(
        select(TranscriptCue.start_ms, TranscriptCue.end_ms, TranscriptCue.text)
        .where(TranscriptCue.episode_id == episode_id).order_by(TranscriptCue.position))]


def with_transcript(session: Session, episode_ids: Sequence[int]) -> frozenset[int]:
    """Which of ``episode_ids`` have a public transcript (so a chapters file)."""
    return frozenset(session.scalars(select(TranscriptCue.episode_id).distinct()
                                     .where(TranscriptCue.episode_id.in_(episode_ids))))
