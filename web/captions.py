"""The player's caption tracks, written from the catalog's transcript on request.

The transcript rows (``transcript_cues``) hold the last approved revision, verbatim
and plain; :func:`episodes.review.approve` replaces them. Writing the WebVTT from
them, rather than serving the VTT files a render left in the library, means the
captions a resident sees change the moment a correction is approved, the same moment
as the transcript and search, with no wait for the re-derivation job (which rebuilds
the downloadable files and the burned-in videos). The ETag is the text's hash, so
players revalidate cheaply. The rows keep a cue's text without its line breaks, so
the lines are laid out again here, as the pipeline does: the subtitle profile's line
width, glossary terms kept whole.
"""
from __future__ import annotations

import functools
import hashlib

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select

from episodes.models import TranscriptCue
from glossary.lines import line_units
from subtitles.cue import Cue
from subtitles.io import dumps
from subtitles.linebreak import break_lines
from subtitles.profiles import get_profile
from web.db import get_session
from web.site import get_episode, site_terms

bp = Blueprint("captions", __name__)
VARIANTS = {"verbatim": TranscriptCue.text, "plain": TranscriptCue.plain_text}


@bp.get("/e/<slug>/captions/<any(verbatim, plain):variant>.vtt")
def vtt(slug: str, variant: str) -> Response:
    """The episode's verbatim or plain captions as WebVTT (drafts: staff only)."""
    episode = get_episode(slug)
    rows = get_session().execute(
        select(TranscriptCue.start_ms, TranscriptCue.end_ms, VARIANTS[variant])
        .where(TranscriptCue.episode_id == episode.id).order_by(TranscriptCue.position)).all()
    if not rows:
        abort(404, "这期节目还没有字幕。")
    profile, keep = _layout(current_app.config["PROFILE"], current_app.config["GLOSSARY"])
    body = dumps([Cue(start, end, break_lines(text, profile, keep)) for start, end, text in rows], "vtt")
    response = Response(body, mimetype="text/vtt")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest())
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # web players fetch captions
    return response.make_conditional(request)


@functools.lru_cache(maxsize=4)
def _layout(profile_name: str, glossary_path: str):
    """The profile and the words to keep whole on a line (built once per term base)."""
    return get_profile(profile_name), line_units(site_terms(glossary_path))
