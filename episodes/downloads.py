"""Podcast download counting in the IAB Podcast Measurement v2.3 style.

A download is counted once per listener, episode and rolling 24 hours, and only
when the request asked for at least one minute of audio (by the file's average
bytes per minute). HEAD, 304s, ``Range: bytes=0-1`` probes and known bots never
count. The listener is a salted hash of the IP (IPv6 cut to its /64, since one
phone moves through a whole prefix) and the user agent, with the daily salts of
:mod:`episodes.views`: today's and yesterday's salt are both checked so the window
spans midnight, and dropped salts make old hashes unlinkable. No raw IP is stored.

The site counts through a group-commit writer (:mod:`episodes.groupcommit`): the
downloads of many requests are checked and stored by one batch, one commit, and each
request goes on once its download is on disk. Example::

    writer = GroupCommit(engine, count_downloads)
    if countable_request(asset, first_byte, last_byte) and not is_bot(agent):
        listeners = listener_ids(salts.of, ip, agent, now, ZoneInfo("Asia/Shanghai"))
        counted = writer.submit(Download(episode.id, listeners, now))
"""
from __future__ import annotations

import functools
import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Callable

from sqlalchemy import (BigInteger, Connection, DateTime, ForeignKey, Index, Insert, Integer, String,
                        bindparam, column, func, insert, literal_column, select, text, values)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, mapped_column

from episodes.assets import PODCAST_AUDIO
from episodes.db import Base
from episodes.models import MediaAsset
from episodes.views import daily_salt, salt_day, viewer_id

WINDOW = timedelta(hours=24)
MINUTE_MS = 60_000


class PodcastDownload(Base):
    """One counted download; ``listener`` is the salted hash, never an address."""

    __tablename__ = "podcast_downloads"
    __table_args__ = (Index("ix_podcast_downloads_recent", "episode_id", "listener", "counted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    listener: Mapped[str] = mapped_column(String(64))
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def network_of(ip: str) -> str:
    """The address as counted: IPv4 whole, IPv6 truncated to its /64 prefix."""
    address = ipaddress.ip_address(ip)
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # ::ffff:1.2.3.4 is an IPv4 listener
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)


def minute_of_audio(asset: MediaAsset) -> int:
    """Bytes in one minute of ``asset`` (all of it when it is shorter than a minute)."""
    if asset.duration_ms <= MINUTE_MS:
        return asset.bytes
    return -(-asset.bytes * MINUTE_MS // asset.duration_ms)


def countable_request(asset: MediaAsset, first_byte: int, last_byte: int) -> bool:
    """True when bytes ``first_byte..last_byte`` (inclusive) hold a minute of audio."""
    return asset.kind in PODCAST_AUDIO and last_byte - first_byte + 1 >= minute_of_audio(asset)


@dataclass(frozen=True)
class Download:
    """A podcast download to count: the listener's hashes with today's salt (stored when
    it counts) and yesterday's (:func:`listener_ids`), the episode, and when."""

    episode_id: int
    listeners: tuple[str, str]
    at: datetime


def listener_ids(salt_of: Callable[[date], str], ip: str, user_agent: str,
                 now: datetime, tz: tzinfo) -> tuple[str, str]:
    """The listener at ``now`` hashed with today's salt and with yesterday's, so that a
    listener counted before midnight is recognised after it. ``salt_of(day)`` gives a
    day's salt (:class:`episodes.views.DailySalts`' ``of`` on the site)."""
    network = network_of(ip)
    today = salt_day(now, tz)
    return (viewer_id(salt_of(today), network, user_agent),
            viewer_id(salt_of(today - timedelta(days=1)), network, user_agent))


def count_downloads(connection: Connection, downloads: list[Download]) -> list[bool]:
    """Record each download unless its listener got that episode in the 24 h before it
    (also earlier in ``downloads``: the first one counts); per download, whether it
    counted. The caller commits; made for a batch (``episodes.groupcommit``).

    Set-based: the check and the insert are one statement for the whole batch
    (``INSERT ... SELECT ... WHERE NOT EXISTS`` a recent download), so a batch costs the
    same statements as one download. Two batches must not both count a listener:

    - SQLite: the statement writes, so SQLite takes the write lock as it starts, before
      it reads anything (BEGIN IMMEDIATE's effect, with no separate SELECT that Python's
      sqlite3 would run outside the transaction; it starts with INSERT, so sqlite3
      begins the transaction there). Another process's batch waits for our commit,
      then reads our rows.
    - PostgreSQL lets both read at once. So first, in its own statement, the batch takes
      a transaction-scoped advisory lock per episode and listener hash (today's and
      yesterday's, so batches either side of midnight meet on one), in ascending key
      order: two batches never wait for each other in a cycle. The insert, a later
      statement, reads with a snapshot taken once the other batch has committed.
    """
    first, seen = [], set()
    for download in downloads:
        first.append(not any((download.episode_id, listener) in seen for listener in download.listeners))
        seen.add((download.episode_id, download.listeners[0]))
    fresh = [download for download, is_first in zip(downloads, first) if is_first]
    inserted = _insert_new(connection, fresh) if fresh else set()
    return [is_first and (download.episode_id, download.listeners[0]) in inserted
            for download, is_first in zip(downloads, first)]


def _insert_new(connection: Connection, downloads: list[Download]) -> set[tuple[int, str]]:
    """Insert the downloads whose listener has none of that episode in the 24 h before;
    return the (episode id, listener) of those inserted."""
    rows = [(d.episode_id, d.listeners[0], d.listeners[1], d.at.astimezone(timezone.utc),
             d.at.astimezone(timezone.utc) - WINDOW) for d in downloads]
    if connection.dialect.name == "postgresql":
        keys = sorted({_lock_key(d.episode_id, listener) for d in downloads for listener in d.listeners})
        connection.execute(_LOCK_IN_ORDER, {"keys": keys})
        result = connection.execute(_count_new_postgresql(),
                                    {array: list(column) for array, column in zip(_SENT_ARRAYS, zip(*rows))})
    else:
        result = connection.execute(_count_new(
            select(*(literal_column(f"column{n}", type_).label(name)
                     for n, (name, type_) in enumerate(_SENT, 1)))
            .select_from(values(*(column(name, type_) for name, type_ in _SENT)).data(rows))
            .subquery("sent")))
    return {(episode_id, listener) for episode_id, listener in result.all()}


def _lock_key(episode_id: int, listener: str) -> int:
    """The advisory lock's 64-bit key for a listener hash and an episode (a collision
    only makes two listeners wait for each other)."""
    digest = hashlib.blake2b(f"podcast download {episode_id} {listener}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


# PostgreSQL evaluates a volatile function in the select list after ORDER BY, so the
# locks are taken in the order of the (sorted) array.
_LOCK_IN_ORDER = text("SELECT pg_advisory_xact_lock(key) FROM unnest(:keys) WITH ORDINALITY "
                      "AS locks(key, position) ORDER BY position").bindparams(
    bindparam("keys", type_=ARRAY(BigInteger)))
_SENT = (("episode_id", Integer), ("listener", String), ("earlier", String),
         ("at", DateTime(timezone=True)), ("since", DateTime(timezone=True)))
_SENT_ARRAYS = tuple(f"{name}s" for name, _ in _SENT)


def _count_new(sent) -> Insert:
    """Insert the rows of ``sent`` (the columns of ``_SENT``: episode, listener hash with
    today's and yesterday's salt, time, time less 24 h) whose listener has no download of
    the episode since ``since``; return their episode and listener."""
    recent = select(PodcastDownload.id).where(
        PodcastDownload.episode_id == sent.c.episode_id,
        PodcastDownload.listener.in_([sent.c.listener, sent.c.earlier]),
        PodcastDownload.counted_at > sent.c.since)
    return (insert(PodcastDownload)
            .from_select(["episode_id", "listener", "counted_at"],
                         select(sent.c.episode_id, sent.c.listener, sent.c.at).where(~recent.exists()))
            .returning(PodcastDownload.episode_id, PodcastDownload.listener))


@functools.cache
def _count_new_postgresql() -> Insert:
    """:func:`_count_new` with the batch as one array per column (``_SENT_ARRAYS``): one
    SQL text whatever the batch, which psycopg prepares once. (SQLite's rows are a
    ``VALUES`` list: it has no arrays, and names a ``VALUES`` list's columns column1...)"""
    return _count_new(func.unnest(*(bindparam(array, type_=ARRAY(type_))
                                    for array, (_, type_) in zip(_SENT_ARRAYS, _SENT)))
                      .table_valued(*(name for name, _ in _SENT)).render_derived(name="sent"))


def count_download(session: Session, episode_id: int, ip: str, user_agent: str,
                   now: datetime, tz: tzinfo) -> bool:
    """Count one download in ``session``'s transaction (see :func:`count_downloads`);
    True if counted. The site counts through its group-commit writer instead."""
    listeners = listener_ids(functools.partial(daily_salt, session), ip, user_agent, now, tz)
    return count_downloads(session.connection(), [Download(episode_id, listeners, now)])[0]


def downloads_per_episode(session: Session, since: datetime | None = None) -> dict[int, int]:
    """Episode id → downloads counted (since ``since``), for the dashboard."""
    query = select(PodcastDownload.episode_id, func.count()).group_by(PodcastDownload.episode_id)
    if since is not None:
        query = query.where(PodcastDownload.counted_at >= since)
    return dict(session.execute(query).all())
