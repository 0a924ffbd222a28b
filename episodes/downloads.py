"""Podcast download counting in the IAB Podcast Measurement v2.3 style.

A download is counted once per listener, episode and rolling 24 hours, and only
when the request asked for at least one minute of audio (by the file's average
bytes per minute). HEAD, 304s, ``Range: bytes=0-1`` probes and known bots never
count. The listener is a salted hash of the IP (IPv6 cut to its /64, since one
phone moves through a whole prefix) and the user agent, with the daily salts of
:mod:`episodes.views`: today's and yesterday's salt are both checked so the window
spans midnight, and dropped salts make old hashes unlinkable. No raw IP is stored.

Example::

    if countable_request(asset, first_byte, last_byte) and not is_bot(agent):
        count_download(session, episode.id, ip, agent, now, ZoneInfo("Asia/Shanghai"))
"""
from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import DateTime, ForeignKey, Index, String, func, select
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


def count_download(session: Session, episode_id: int, ip: str, user_agent: str,
                   now: datetime, tz: tzinfo) -> bool:
    """Record a download unless this listener got one in the last 24 h; True if counted.

    ``daily_salt`` writes first, so on SQLite the transaction holds the write lock
    before the check: two parallel range requests cannot both count. PostgreSQL lets
    both read at once, so there a lock on this listener and episode, held until the
    transaction ends, makes the second request wait for the first one's row.
    """
    network = network_of(ip)
    today = salt_day(now, tz)
    listeners = [viewer_id(daily_salt(session, day), network, user_agent)
                 for day in (today, today - timedelta(days=1))]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(
            func.hashtext(f"podcast download {episode_id} {listeners[0]}"))))
    recent = select(PodcastDownload.id).where(
        PodcastDownload.episode_id == episode_id, PodcastDownload.listener.in_(listeners),
        PodcastDownload.counted_at > now - WINDOW).limit(1)
    if session.scalar(recent) is not None:
        return False
    session.add(PodcastDownload(episode_id=episode_id, listener=listeners[0], counted_at=now))
    return True


def downloads_per_episode(session: Session, since: datetime | None = None) -> dict[int, int]:
    """Episode id → downloads counted (since ``since``), for the dashboard."""
    query = select(PodcastDownload.episode_id, func.count()).group_by(PodcastDownload.episode_id)
    if since is not None:
        query = query.where(PodcastDownload.counted_at >= since)
    return dict(session.execute(query).all())
