"""Live broadcasts: the media server's publish hooks, the HLS stream and the /live page.

nginx-rtmp (configured by ``studio live nginx-conf``) asks ``/live/hooks/publish``
before it takes an encoder's push: a 302 whose Location is the broadcast's public
stream name (``b12``) accepts it and renames the stream, so the secret key never
reaches a viewer's URL; any 4xx refuses it. ``/live/hooks/publish_done`` says the
push stopped; then a ``live.finish`` job (run by ``studio worker``) waits out the
grace period and turns the recording into a draft episode unless the encoder came back.
The hooks carry no CSRF token (nginx posts them) and are taken only from this machine.

The stream files (nginx's video and audio-only HLS, the captioner's WebVTT) are served
from ``LIVE_PATH/hls``; the master playlist tying them together is written here.

The captioner writes one caption track, the words as heard (glossary-corrected). As
episodes do, the page offers a plain one too, shown by default: each caption line
with the glossary's plain wordings (:func:`plain_segment`), made here when a player
asks for a segment. An explained term cannot be explained on a live line (the roll-up
has no room, and which mention is the first is not known), so it reads as the term's
later mentions do.
"""
from __future__ import annotations

import functools
import ipaddress
import logging
import os
from datetime import datetime, timedelta, timezone

from zoneinfo import ZoneInfo

from flask import (Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request,
                   send_from_directory)
from sqlalchemy import select

from episodes.live import (AirWindow, PublishRefused, authorize_publish, enqueue_finish, on_air, publish_stopped,
                           stream_name)
from episodes.models import LiveBroadcast, as_utc
from episodes.views import countable, is_bot, live_views, record_live_view, salt_day, viewer_id
from glossary.rewrite import rewrite
from web.db import get_jobs, get_session
from web.limits import posted_object
from web.security import CONTENT_SECURITY_POLICY, csrf

bp = Blueprint("live", __name__)
log = logging.getLogger(__name__)

HLS_FOLDER = "hls"  # in LIVE_PATH: video/, audio/ (nginx), captions/ (the captioner)
UPCOMING_COUNT = 5
# The master playlist: two renditions of the picture's stream (video, and audio only
# for listeners on weak mobile data), both with the live captions as a subtitle track.
MASTER_PLAYLIST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="通俗版字幕",LANGUAGE="zh-Hans",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="../hls/plain/{name}/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="原文字幕",LANGUAGE="zh-Hans",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="../hls/captions/{name}/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1500000,CODECS="{codecs}",SUBTITLES="subs"
../hls/video/{name}/index.m3u8
"""
SOUND_ONLY = """#EXT-X-STREAM-INF:BANDWIDTH=96000,CODECS="mp4a.40.2",SUBTITLES="subs"
../hls/audio/{name}/index.m3u8
"""


def init_app(app: Flask) -> None:
    app.config["LIVE_PATH"] = app.config["LIVE_PATH"] or os.path.join(app.instance_path, "live")
    app.config.setdefault("LIVE_CLOCK", lambda: datetime.now(timezone.utc))


def air_window() -> AirWindow:
    config = current_app.config
    return AirWindow(early=timedelta(minutes=int(config["LIVE_EARLY_MINUTES"])),
                     late=timedelta(minutes=int(config["LIVE_LATE_MINUTES"])),
                     grace=timedelta(seconds=int(config["LIVE_GRACE_SECONDS"])))


def broadcast_on_air(session) -> LiveBroadcast | None:
    """The broadcast on air now, if any (the home page announces it)."""
    return on_air(session, current_app.config["LIVE_CLOCK"](), air_window())


def _from_this_machine() -> None:
    """The hooks change what is on air: only the media server beside us may call them."""
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        abort(403, "只接受本机媒体服务器的通知。")


@bp.route("/live/hooks/publish", methods=["POST"])
@csrf.exempt
def publish_hook():
    _from_this_machine()
    client = request.form.get("clientid", "")
    session = get_session()
    try:
        show = authorize_publish(session, request.form.get("name", ""), client,
                                 current_app.config["LIVE_CLOCK"](), air_window())
    except PublishRefused as exc:
        log.warning("refused a push from %s: %s", request.form.get("addr", "?"), exc)
        return Response(f"refused: {exc.problem}\n", status=403, mimetype="text/plain")
    session.commit()
    log.info("live broadcast %d on air (encoder %s at %s)", show.id, client, request.form.get("addr", "?"))
    # nginx-rtmp renames the stream to the Location of a 3xx answer
    return Response(status=302, headers={"Location": stream_name(show)})


@bp.route("/live/hooks/publish_done", methods=["POST"])
@csrf.exempt
def publish_done_hook():
    _from_this_machine()
    session = get_session()
    now = current_app.config["LIVE_CLOCK"]()
    show = publish_stopped(session, request.form.get("name", ""), request.form.get("clientid", ""), now)
    if show is not None:
        log.info("live broadcast %d: the encoder stopped; it becomes an episode unless it is "
                 "back within %s s", show.id, current_app.config["LIVE_GRACE_SECONDS"])
        enqueue_finish(session, get_jobs(), show, now)
    session.commit()
    return Response("ok\n", mimetype="text/plain")


@bp.route("/live")
def live_page():
    session = get_session()
    now = current_app.config["LIVE_CLOCK"]()
    show = broadcast_on_air(session)
    upcoming = [] if show else session.scalars(
        select(LiveBroadcast).where(LiveBroadcast.air_at > now).order_by(LiveBroadcast.air_at)
        .limit(UPCOMING_COUNT)).all()
    response = current_app.make_response(render_template(
        "live/live.html", show=show, upcoming=upcoming, hotline=current_app.config["LIVE_HOTLINE"],
        views=live_views(session, show.id) if show else 0))
    # hls.js plays through Media Source Extensions: the video's source is a blob: URL
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY + "; media-src 'self' blob: data:; worker-src 'self' blob:"
    return response


@bp.route("/live/<int:broadcast_id>/master.m3u8")
def master_playlist(broadcast_id: int):
    show = get_session().get(LiveBroadcast, broadcast_id)
    if show is None or show.started_at is None:
        abort(404, "这场直播还没有开始。")
    name = stream_name(show)
    if _without_sound(name):
        playlist = MASTER_PLAYLIST.format(name=name, codecs="avc1.64001f")
    else:
        playlist = MASTER_PLAYLIST.format(name=name, codecs="avc1.64001f,mp4a.40.2") + SOUND_ONLY.format(name=name)
    return Response(playlist, mimetype="application/vnd.apple.mpegurl", headers={"Cache-Control": "no-cache"})


def _without_sound(name: str) -> bool:
    """A picture without sound: nginx writes the picture's playlist but never the sound-only
    one, whose relay found no sound (``studio.live_server.relay``). The two relays start
    together, so a sound-only rendition still missing once the picture is out has none
    (or is a moment late: a viewer who arrives just then is offered the picture alone)."""
    hls = os.path.join(current_app.config["LIVE_PATH"], HLS_FOLDER)
    return (os.path.exists(os.path.join(hls, "video", name, "index.m3u8"))
            and not os.path.exists(os.path.join(hls, "audio", name, "index.m3u8")))


@bp.route("/live/hls/<path:name>")
def stream_file(name: str):
    """A playlist (never cached: it changes every segment) or a segment of the stream."""
    response = send_from_directory(os.path.join(current_app.config["LIVE_PATH"], HLS_FOLDER), name,
                                   max_age=0 if name.endswith(".m3u8") else 60)
    if name.endswith(".m3u8"):
        response.headers["Cache-Control"] = "no-cache"
        response.mimetype = "application/vnd.apple.mpegurl"
    return response


@bp.route("/live/hls/plain/<name>/<any(index.m3u8):playlist>")
@bp.route("/live/hls/plain/<name>/seg-<int:number>.vtt")
def plain_file(name: str, playlist: str = "", number: int | None = None):
    """The plain caption track: the captioner's playlist as it is (its segments are
    named alike), each segment with the glossary's plain wordings."""
    if playlist:
        return stream_file(f"captions/{name}/{playlist}")
    path = os.path.join(current_app.config["LIVE_PATH"], HLS_FOLDER, "captions", name, f"seg-{number}.vtt")
    try:
        with open(path, encoding="utf-8") as segment:
            text = segment.read()
    except (FileNotFoundError, NotADirectoryError):
        abort(404, "没有这段字幕。")
    return Response(plain_segment(text, current_app.config["GLOSSARY"]), mimetype="text/vtt",
                    headers={"Cache-Control": "max-age=60"})


@functools.lru_cache(maxsize=256)  # every viewer asks for the same few newest segments
def plain_segment(vtt: str, glossary_path: str) -> str:
    """A live WebVTT segment with each caption line in plain words (header, timings kept).

    >>> plain_segment("WEBVTT\\n\\n00:00:00.000 --> 00:00:02.000\\n可以容缺受理\\n", "")  # doctest: +SKIP
    'WEBVTT\\n\\n00:00:00.000 --> 00:00:02.000\\n可以收件后补材料\\n'
    """
    from web.site import site_terms  # web.site imports this module (the home page's show on air)

    terms = site_terms(glossary_path)
    every_term = [term.term for term in terms.terms]
    blocks = vtt.split("\n\n")
    for index, block in enumerate(blocks[1:], 1):  # blocks[0]: WEBVTT and X-TIMESTAMP-MAP
        timing, _, text = block.partition("\n")
        if "-->" in timing and text:
            blocks[index] = timing + "\n" + "\n".join(rewrite(line, terms, introduced=every_term).text
                                                     for line in text.split("\n"))
    return "\n\n".join(blocks)


@bp.route("/live/beacon", methods=["POST"])
@csrf.exempt  # as the episode view beacon (web.views): JSON only, carries no one's authority
def live_beacon():
    """``{"broadcast": ID, "watched": SECONDS}`` from the live player, once the viewer has
    watched 10 s; counted once per viewer, broadcast and hour (``episodes.views``)."""
    body = posted_object()
    if body is None or type(body.get("broadcast")) is not int \
            or type(body.get("watched")) not in (int, float):
        return jsonify(counted=False, error="body must be JSON {broadcast: id, watched: seconds}"), 400
    now = current_app.config["LIVE_CLOCK"]()
    # the process's cached salt, asked before the request holds a pooled connection (the
    # day's first requests wait for one read, and must not hold the connections it needs)
    salt = current_app.extensions["daily_salts"].of(salt_day(now, ZoneInfo(current_app.config["TIMEZONE"])))
    session = get_session()
    show = session.get(LiveBroadcast, body["broadcast"]) if 0 < body["broadcast"] < 2**63 else None
    if show is None or show.started_at is None:
        return jsonify(counted=False, error=f"no live broadcast {body['broadcast']} on air"), 400
    watched_ms = round(body["watched"] * 1000)
    if not 0 <= watched_ms <= (now - as_utc(show.started_at)).total_seconds() * 1000 + 60_000:
        return jsonify(counted=False, error=f"'watched' {body['watched']} s is impossible for this broadcast"), 400
    if is_bot(request.user_agent.string):
        return jsonify(counted=False, reason="bot"), 202
    if not countable(watched_ms, 0):
        return jsonify(counted=False, reason="not watched long enough"), 202
    counted = record_live_view(session, show.id, viewer_id(salt, request.remote_addr or "",
                                                           request.user_agent.string), now)
    session.commit()
    return jsonify(counted=counted, reason="" if counted else "already counted this hour"), 202
