"""From a transcript to the verbatim subtitle track, and subtitle files on disk."""
from __future__ import annotations

import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, AbstractSet, Iterable

from glossary.correct import correct
from glossary.prompt import decoding_hints
from glossary.termbase import Glossary
from studio.files import write_text
from subtitles import io as subtitle_io
from subtitles.io import AssStyle
from subtitles.cue import Cue
from subtitles.linebreak import NO_KEEP
from subtitles.profiles import Profile
from subtitles.segment import segment_words
from subtitles.speech import punctuate_pauses
from subtitles.transcript import Transcript

if TYPE_CHECKING:
    from subtitles.align import AlignedScript

log = logging.getLogger(__name__)
SUBTITLE_FORMATS = ("srt", "vtt", "ass")


def decoding_prompt(terms: Glossary, context: str) -> str | None:
    """A short prompt naming the glossary terms that ``context`` mentions.

    ``context`` is what staff already know before transcription: the title, the
    summary, a guide video's script. Measured on the shared clips, a short prompt
    plus post-correction beats either alone; a long one collapses segments.
    """
    return decoding_hints(terms, context)[1] if context.strip() else None


def correct_transcript(transcript: Transcript, terms: Glossary) -> Transcript:
    """Put misheard jargon back (pinyin match against the glossary); log every change."""
    corrected, fixes = correct(transcript, terms)
    for fix in fixes:
        log.info("%s: segment %d: %s -> %s (term %s, similarity %.2f)", transcript.source or "transcript",
                 fix.segment, fix.before, fix.after, fix.term, fix.score)
    return replace(corrected, corrections=[*transcript.corrections, *map(asdict, fixes)])


def verbatim_cues(transcript: Transcript, profile: Profile, keep: AbstractSet[str] = NO_KEEP) -> list[Cue]:
    """Cut the (already cleaned and speech-aligned) transcript into broadcast cues; no
    line or cue breaks inside a word of ``keep`` (:func:`glossary.lines.line_units`)."""
    return segment_words(punctuate_pauses(transcript.words), profile, keep)


def script_cues(script: Path, transcript: Transcript, profile: Profile,
                keep: AbstractSet[str] = NO_KEEP) -> tuple[list[Cue], AlignedScript]:
    """The script's words as broadcast cues, timed from the transcript's words (``keep``:
    as for :func:`verbatim_cues`).

    Raises SubtitleError naming ``script`` when it is unreadable, empty, not a Word file,
    or not this recording's script (see :func:`subtitles.align.align_script`).
    """
    from subtitles.align import align_script
    from subtitles.script import load_script

    aligned = align_script(load_script(script), transcript.words, script)
    return segment_words(list(aligned.words), profile, keep), aligned


def write_subtitles(cues: list[Cue], stem: Path, formats: Iterable[str] = SUBTITLE_FORMATS,
                    style: AssStyle | None = None) -> list[Path]:
    """Write ``stem.srt``/``.vtt``/``.ass`` atomically; return the paths written."""
    written = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        write_text(path, subtitle_io.dumps(cues, fmt, style=style if fmt == "ass" else None))
        written.append(path)
    return written
