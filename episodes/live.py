"""The schedule of live broadcasts of 《武陵政务直播间》, and the episode each becomes.

A broadcast is announced ahead (air time, topic, guests, stream URL) and gets a secret
stream key for the studio's encoder. The media server (nginx-rtmp) asks before it
accepts a push (:func:`authorize_publish`: right key, on air, nobody else pushing)
and says when the push stops (:func:`publish_stopped`); a push that comes back within
the grace period continues the same broadcast. Once its recording has gone through
the pipeline, the broadcast points at that episode, so the site can show "回看".

Example::

    show = add_broadcast(session, parse_local_time("2026-12-03 10:00", "Asia/Shanghai"),
                         "医保异地就医备案", [Guest("王芳", "区医保局")])
    link_recording(session, show.id, episode.id)
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.errors import CatalogError, NotFound
from episodes.models import Episode, LiveBroadcast, as_utc
from episodes.record import EpisodeRecord, Guest

FINISH_JOB = "live.finish"  # the recording becomes an episode (studio.live_recording)


def add_broadcast(session: Session, air_at: datetime, topic: str, guests: list[Guest],
                  stream_url: str = "") -> LiveBroadcast:
    """Announce a broadcast; ``air_at`` is UTC."""
    if not topic.strip():
        raise CatalogError("a broadcast needs a topic", "--topic")
    if stream_url and urlsplit(stream_url).scheme not in ("http", "https"):
        raise CatalogError("must be an http(s) address", stream_url)
    show = LiveBroadcast(air_at=air_at, topic=topic.strip(), stream_url=stream_url,
                         guests=[asdict(g) for g in guests], stream_key=secrets.token_urlsafe(24))
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


class PublishRefused(CatalogError):
    """The media server must not take this push; the message says why (for its log)."""


@dataclass(frozen=True)
class AirWindow:
    """When an encoder may go on air for a broadcast, and how long a stopped push may
    come back and continue it (``grace``)."""

    early: timedelta = timedelta(minutes=60)
    late: timedelta = timedelta(minutes=180)
    grace: timedelta = timedelta(seconds=120)


def stream_name(show: LiveBroadcast) -> str:
    """The public name of a broadcast's stream (HLS folders, recordings): never its key."""
    return f"b{show.id}"


def authorize_publish(session: Session, key: str, client: str, now: datetime,
                      window: AirWindow = AirWindow()) -> LiveBroadcast:
    """The broadcast whose encoder ``client`` may now push with ``key``, marked on air;
    :class:`PublishRefused` for an unknown key, a broadcast outside its air window or
    already over, or while another encoder pushes the same key."""
    show = session.scalar(select(LiveBroadcast).where(LiveBroadcast.stream_key == key)) if key else None
    if show is None:
        raise PublishRefused("unknown stream key", f"client {client}")
    label = f"live broadcast {show.id}"
    air_at = as_utc(show.air_at)
    if show.episode_id is not None or _ended(show, now, window):
        raise PublishRefused("this broadcast is over; announce a new one with studio live add", label)
    if not air_at - window.early <= now <= air_at + window.late:
        raise PublishRefused(f"not on air now: its air time is {air_at:%Y-%m-%d %H:%M} UTC", label)
    if show.publisher and show.publisher != client:
        raise PublishRefused(f"encoder {show.publisher} is already pushing this key; "
                             "stop it first", label)
    show.publisher, show.stopped_at = client, None
    show.started_at = show.started_at or now  # a reconnect continues the broadcast
    return show


def publish_stopped(session: Session, key: str, client: str, now: datetime) -> LiveBroadcast | None:
    """Record that encoder ``client`` stopped pushing ``key`` (None when it was not the
    broadcast's encoder, e.g. a refused second one)."""
    show = session.scalar(select(LiveBroadcast).where(LiveBroadcast.stream_key == key)) if key else None
    if show is None or show.publisher != client:
        return None
    show.publisher, show.stopped_at = "", now
    return show


def pushes_lost(session: Session, now: datetime) -> list[LiveBroadcast]:
    """The media server died without saying the pushes stopped: each broadcast that
    was pushing stopped now (its encoder may reconnect within the grace period)."""
    shows = list(session.scalars(select(LiveBroadcast).where(LiveBroadcast.publisher != "")))
    for show in shows:
        show.publisher, show.stopped_at = "", now
    return shows


def enqueue_finish(session: Session, jobs, show: LiveBroadcast, now: datetime) -> None:
    """After a push stopped at ``now``: the job that, once the grace period passed without
    the encoder coming back, makes the recording a draft episode (``jobs`` is an
    :class:`episodes.queue.JobQueue`)."""
    jobs.enqueue(session, FINISH_JOB, show.id, key=f"{FINISH_JOB}:{show.id}:{now.isoformat()}")


def on_air(session: Session, now: datetime, window: AirWindow = AirWindow()) -> LiveBroadcast | None:
    """The broadcast on air now: pushing, or stopped less than the grace period ago."""
    for show in session.scalars(select(LiveBroadcast).where(
            LiveBroadcast.started_at.is_not(None), LiveBroadcast.episode_id.is_(None))
            .order_by(LiveBroadcast.started_at.desc())):
        if show.publisher or not _ended(show, now, window):
            return show
    return None


def _ended(show: LiveBroadcast, now: datetime, window: AirWindow) -> bool:
    return (not show.publisher and show.stopped_at is not None
            and now - as_utc(show.stopped_at) > window.grace)


def episode_record(show: LiveBroadcast, source: str = "") -> EpisodeRecord:
    """The call-in episode a broadcast becomes: its topic, air date and guests."""
    return EpisodeRecord(title=show.topic, slug=f"live-{show.id}", kind="episode",
                         air_date=as_utc(show.air_at).date(), source=source,
                         guests=tuple(Guest(g["name"], g["department"]) for g in show.guests))
