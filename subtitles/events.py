"""Which events of a subtitle file are dialogue, and the tracks they form.

Real ASS files (fansubs, office templates) hold much besides dialogue: signs placed
on the picture, karaoke, notes at the top, comment lines, several dialogue styles
(a bilingual file has one per language). ``check`` and ``fix`` look only at
*dialogue*: a Dialogue line (not a Comment) without an ``Effect`` (Banner, Scroll)
shown at the bottom of the picture, by its style or its first ``\\an``/``\\a`` tag,
and carrying none of the tags that make a sign: ``\\pos``, ``\\move``, ``\\org``,
``\\clip``/``\\iclip``, rotation (``\\fr``, ``\\frx``, ``\\fry``, ``\\frz``), karaoke
(``\\k``, ``\\K``, ``\\kf``, ``\\ko``) or a drawing (``\\p1`` and up). Everything else is
left exactly as it was read.

Dialogue is grouped in *tracks* by (style, layer): each track is timed on its own,
so a Japanese and a Chinese line shown together are never merged or pushed apart.
A dialogue event with any other override block (``{\\i1}``, ``{\\fad(…)}``, ``{\\c&H…&}``)
becomes a *locked* cue: its times may be fixed, its text is kept as written.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pysubs2

from subtitles.cue import Cue

_SIGN_TAG = re.compile(r"\\(?:pos|move|org|i?clip)\(|\\fr[xyz]?-?[\d.]|\\(?:k[fo]?|K)\d|\\p[1-9]")
_HTML_TAG = re.compile(r"< */? *[a-zA-Z][^>]*>")  # SRT/WebVTT formatting, as pysubs2 finds it
_ALIGNMENT_TAG = re.compile(r"\\an([1-9])|\\a(\d+)")
_BOTTOM_NUMPAD = {1, 2, 3}  # \an and style alignment: numpad positions
_BOTTOM_LEGACY = {1, 2, 3}  # SSA's \a: 1-3 bottom, 5-7 top, 9-11 middle

Track = tuple[str, int]  # (style name, layer)


def cue_of(event: pysubs2.SSAEvent, origin: int | None = None) -> Cue:
    """What ``event`` shows: its plain lines (ASS and SRT/WebVTT HTML tags dropped,
    ``\\N`` a line break), locked when it has any tag."""
    lines = (_HTML_TAG.sub("", line).strip() for line in event.plaintext.splitlines())
    tagged = pysubs2.SSAEvent.OVERRIDE_SEQUENCE.search(event.text) or _HTML_TAG.search(event.text)
    return Cue(event.start, event.end, tuple(line for line in lines if line), origin=origin,
               locked=bool(tagged))


def is_dialogue(event: pysubs2.SSAEvent, styles: dict[str, pysubs2.SSAStyle]) -> bool:
    """True for a line people read at the bottom of the picture (see the module doc)."""
    if event.is_comment or event.effect.strip() or _SIGN_TAG.search(_tags(event.text)):
        return False
    tag = _ALIGNMENT_TAG.search(_tags(event.text))  # the first alignment tag is the one shown
    if tag and tag.group(1):
        return int(tag.group(1)) in _BOTTOM_NUMPAD
    if tag:
        return int(tag.group(2)) in _BOTTOM_LEGACY
    style = styles.get(event.style)
    return style is None or int(style.alignment) in _BOTTOM_NUMPAD


def _tags(text: str) -> str:
    """The override blocks of ``text``, without the text they format."""
    return "".join(pysubs2.SSAEvent.OVERRIDE_SEQUENCE.findall(text))


def dialogue_tracks(subs: pysubs2.SSAFile) -> dict[Track, list[Cue]]:
    """Dialogue cues by (style, layer), in file order; each cue's ``origin`` is its event's
    position in ``subs.events`` (0-based)."""
    tracks: dict[Track, list[Cue]] = defaultdict(list)
    for position, event in enumerate(subs.events):
        if is_dialogue(event, subs.styles):
            tracks[event.style, event.layer].append(cue_of(event, position))
    return dict(tracks)
