"""The schedule of live broadcasts of 《武陵政务直播间》, and the episode each becomes.

A broadcast is announced ahead (air time, topic, guests, stream URL); once its
recording has gone through the pipeline and been published, it points at that
episode, so the site can show "回看" instead of the stream.

Example::

    show = add_broadcast(session, parse_local_time("2026-12-03 10:00", "Asia/Shanghai"),
                         "医保异地就医备案", [Guest("王芳", "区医保局")])
    link_recording(session, show.id, episode.id)
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.errors import CatalogError, NotFound
from episodes.models import Episode, LiveBroadcast
from episodes.record import Guest


def add_broadcast(session: Session, air_at: datetime, topic: str, guests: list[Guest],
                  stream_url: str = "") -> LiveBroadcast:
    """Announce a broadcast; ``air_at`` is UTC."""
    if not topic.strip():
        raise CatalogError("a broadcast needs a topic", "--topic")
    if stream_url and urlsplit(stream_url).scheme not in ("http", "https"):
        raise CatalogError("must be an http(s) address", stream_url)
    show = LiveBroadcast(air_at=air_at, topic=topic.strip(), stream_url=stream_url,
                         guests=[asdict(g) for g in guests])
    session.add(show)
    session.flush()
    return show


def broadcasts(session: Session, since: datetime | None = None) -> list[LiveBroadcast]:
    """Broadcasts in air order; with ``since``, only those airing from then on."""
    query = select(LiveBroadcast).order_by(LiveBroadcast.air_at)
    if since is not None:
        query = query.where(LiveBroadcast.air_at >= since)
    return list(session.scalars(query))


def link_recording(session: Session, broadcast_id: int, episode_id: int) -> LiveBroadcast:
    """Record that broadcast ``broadcast_id`` became episode ``episode_id``."""
    show = session.get(LiveBroadcast, broadcast_id)
    if show is None:
        raise NotFound("no such live broadcast in the catalog", f"--live {broadcast_id}")
    if session.get(Episode, episode_id) is None:
        raise NotFound("no such episode in the catalog", f"#{episode_id}")
    show.episode_id = episode_id
    return show
