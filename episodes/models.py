"""Catalog tables: episodes and guide videos, guests, media assets, transcript cues,
scheduled live broadcasts, and people who log in.

All datetimes are stored in UTC (timezone-aware); convert for display at the edge.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from episodes.db import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything the catalog stores is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


class Episode(Base):
    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="episode")
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    air_date: Mapped[date | None] = mapped_column(Date)
    service_category: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    # Absolute path of the work folder it was published from ('' for none), where an
    # approved revision is re-derived (the episode.rederive job).
    work_folder: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    guests: Mapped[list["Guest"]] = relationship(back_populates="episode", order_by="Guest.position",
                                                 cascade="all, delete-orphan")
    assets: Mapped[list["MediaAsset"]] = relationship(back_populates="episode",
                                                      cascade="all, delete-orphan")
    cues: Mapped[list["TranscriptCue"]] = relationship(back_populates="episode",
                                                       order_by="TranscriptCue.position",
                                                       cascade="all, delete-orphan")

    def asset(self, kind: str, variant: str = "") -> "MediaAsset | None":
        return next((a for a in self.assets if a.kind == kind and a.variant == variant), None)


class Guest(Base):
    __tablename__ = "guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(200), default="")

    episode: Mapped[Episode] = relationship(back_populates="guests")


class MediaAsset(Base):
    """A published file. ``kind`` is an :class:`~episodes.assets.AssetKind` value
    (``variant`` verbatim/plain for subtitles). ``path`` is relative to the media root
    and never overwritten."""

    __tablename__ = "media_assets"
    __table_args__ = (UniqueConstraint("episode_id", "kind", "variant", "mime_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(40), default="")
    path: Mapped[str] = mapped_column(String(500))
    mime_type: Mapped[str] = mapped_column(String(100))
    bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 hex

    episode: Mapped[Episode] = relationship(back_populates="assets")


class TranscriptCue(Base):
    """One cue of the verbatim track, kept for the transcript page and search."""

    __tablename__ = "transcript_cues"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    plain_text: Mapped[str] = mapped_column(Text, default="")

    episode: Mapped[Episode] = relationship(back_populates="cues")


class LiveBroadcast(Base):
    """An upcoming live show; ``episode_id`` is set once its recording is processed."""

    __tablename__ = "live_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    air_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    topic: Mapped[str] = mapped_column(String(300))
    guests: Mapped[list] = mapped_column(JSON, default=list)  # [{"name":…, "department":…}]
    stream_url: Mapped[str] = mapped_column(String(500), default="")
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id", ondelete="SET NULL"))
    # Live ingest (episodes.live): the encoder's secret key, the media server's client
    # id of the encoder pushing now ('' when none), and when the push started and stopped.
    stream_key: Mapped[str] = mapped_column(String(64), unique=True, default="")
    publisher: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    """Someone who logs in: staff (dashboard), organiser, judge or entrant (contest)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's identity: raising it ends all of this user's sessions.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
