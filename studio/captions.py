"""From a transcript to the verbatim subtitle track, and subtitle files on disk."""
from __future__ import annotations

import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, AbstractSet, Callable, Iterable

from rapidfuzz.distance import Levenshtein

from glossary.correct import correct
from glossary.prompt import decoding_hints, heard_terms, relevant_terms
from glossary.termbase import Glossary
from studio.files import write_text
from subtitles import io as subtitle_io
from subtitles.evaluation import scoring_chars
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
# A second pass whose text differs from the first's by more than this (edit distance over
# length) lost or invented speech, as whisper sometimes does under a prompt (a whole
# window dropped, the prompt repeated); it only ever needs to respell some words.
SECOND_PASS_MAX_CHANGE = 0.25
# The second pass's prompt may name more terms than a script's (decoding_hints' default 8
# terms, 48 characters): measured on the development clips, 16 terms in 120 characters
# recovered twice as much jargon as the short prompt and dropped no window.
SECOND_PASS_TERMS, SECOND_PASS_PROMPT_CHARS = 16, 120


def decoding_prompt(terms: Glossary, context: str) -> str | None:
    """A short prompt naming the glossary terms that ``context`` mentions.

    ``context`` is what staff already know before transcription: the title, the
    summary, a guide video's script. Measured on the shared clips, a short prompt
    plus post-correction beats either alone; a long one collapses segments.
    """
    return decoding_hints(terms, context)[1] if context.strip() else None


def second_pass(first: Transcript, terms: Glossary, context: str,
                transcribe: Callable[[str], Transcript]) -> Transcript:
    """Transcribe again with a prompt naming the terms ``first`` suggests were said (and
    those ``context`` names), or keep ``first`` when there are none or the new text
    strays too far from it (:data:`SECOND_PASS_MAX_CHANGE`).

    ``transcribe(prompt)`` runs the model once more on the same recording. The prompt is
    driven by the term base and the first pass (:func:`glossary.prompt.heard_terms`),
    so it works without a script; it doubles the transcription time.
    """
    heard = relevant_terms(terms, context) + heard_terms(terms, first.text)
    prompt = decoding_hints(terms, heard, SECOND_PASS_TERMS, SECOND_PASS_PROMPT_CHARS)[1]
    if not prompt:
        return first
    second = transcribe(prompt)
    change = Levenshtein.normalized_distance(scoring_chars(first.text), scoring_chars(second.text))
    if change > SECOND_PASS_MAX_CHANGE:
        log.info("%s: second pass kept out: it changed %.0f%% of the text", first.source or "transcript",
                 100 * change)
        return first
    return second


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
