"""The player's caption tracks, written from the catalog's transcript on request.

The transcript rows (``transcript_cues``) hold the last approved revision, verbatim
and plain; :func:`episodes.review.approve` replaces them. Writing the WebVTT from
them, rather than serving the VTT files a render left in the library, means the
captions a resident sees change the moment a correction is approved, the same moment
as the transcript and search, with no wait for the re-derivation job (which rebuilds
the downloadable files and the burned-in videos). The ETag is the text's hash, so
players revalidate cheaply.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from episodes.models import TranscriptCue
from subtitles.cue import Cue
from subtitles.io import dumps
from web.db import get_session
from web.site import get_episode

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
    body = dumps([Cue(start, end, tuple(text.split("\n"))) for start, end, text in rows], "vtt")
    response = Response(body, mimetype="text/vtt")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest())
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # web players fetch captions
    return response.make_conditional(request)
