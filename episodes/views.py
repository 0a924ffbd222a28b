"""Honest view counts (PeerTube 6.1 rules), as pure functions plus three tables.

A view counts when the viewer watched at least 10 s, or 30 % of a video shorter
than 30 s; once per viewer, episode and clock hour. The viewer is a salted hash of
IP + user agent; the salt is random and rotates daily, so no raw IP is stored and
yesterday's hashes cannot be linked to today's. Known bots never count.

Example::

    viewer = viewer_id(daily_salt(session, salt_day(now, tz)), ip, user_agent)
    if countable(watched_ms, episode.duration_ms) and not is_bot(user_agent):
        record_view(session, episode.id, viewer, now, tz)
"""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

from sqlalchemy import (Connection, Date, DateTime, ForeignKey, Insert, Integer, Select, String,
                        UniqueConstraint, and_, any_, bindparam, func, select)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from episodes.db import Base, transaction
from episodes.models import Episode

MIN_WATCH_MS = 10_000
SHORT_VIDEO_MS = 30_000
SHORT_VIDEO_SHARE = 0.30
# Players report a little past the end (seeking, rounding); more than this is absurd.
WATCH_SLACK_MS = 60_000
SALT_KEEP_DAYS = 2

# Searched in the lower-cased agent: IGNORECASE makes this search 4-15x slower (20 us on
# a phone's agent), and every beacon and podcast download runs it.
_BOT = re.compile(r"bot|crawl|spider|slurp|curl|wget|python-requests|httpx|headless|"
                  r"facebookexternalhit|preview|monitor|bingpreview|scrapy|feedfetcher")


class ViewEvent(Base):
    """One counted view; the unique key is what makes the hourly dedupe race-free."""

    __tablename__ = "view_events"
    __table_args__ = (UniqueConstraint("episode_id", "viewer", "hour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    viewer: Mapped[str] = mapped_column(String(64))
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC, truncated


class DailyViews(Base):
    """Views per episode per local day: what the dashboard and the page show."""

    __tablename__ = "daily_views"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"),
                                            primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)


class ViewSalt(Base):
    """Today's random salt; old rows are deleted so old hashes become unlinkable."""

    __tablename__ = "view_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


def countable(watched_ms: int, duration_ms: int) -> bool:
    """True when ``watched_ms`` of a ``duration_ms`` video is a view (PeerTube 6.1)."""
    if 0 < duration_ms < SHORT_VIDEO_MS:
        return watched_ms >= min(MIN_WATCH_MS, duration_ms * SHORT_VIDEO_SHARE)
    return watched_ms >= MIN_WATCH_MS


def plausible(watched_ms: int, duration_ms: int) -> bool:
    """False for watch times no real player reports (negative, or far past the end)."""
    limit = duration_ms + WATCH_SLACK_MS if duration_ms > 0 else 24 * 3600 * 1000
    return 0 <= watched_ms <= limit


def is_bot(user_agent: str) -> bool:
    """Known crawlers, link previewers and scripts; an empty agent counts as a bot."""
    return not user_agent.strip() or bool(_BOT.search(user_agent.lower()))


def viewer_id(salt: str, ip: str, user_agent: str) -> str:
    return hashlib.sha256(f"{salt}\x00{ip}\x00{user_agent}".encode()).hexdigest()


def hour_of(now: datetime) -> datetime:
    """The dedupe window: the UTC clock hour ``now`` falls in."""
    return now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def salt_day(moment: datetime, tz: tzinfo) -> date:
    """The day whose salt hashes a viewer or listener at ``moment``: the local day in the
    office's time zone, the same day the dashboard counts views in. Views and podcast
    downloads share the salts table, so both must ask here."""
    return moment.astimezone(tz).date()


def daily_salt(session: Session, day: date) -> str:
    """Today's salt, created on first use; salts older than two days are dropped."""
    session.execute(_insert(session, ViewSalt).values(day=day, salt=secrets.token_hex(32))
                    .on_conflict_do_nothing())
    session.execute(ViewSalt.__table__.delete()
                    .where(ViewSalt.day < day - timedelta(days=SALT_KEEP_DAYS)))
    return session.scalar(select(ViewSalt.salt).where(ViewSalt.day == day))


class DailySalts:
    """The salts of the last days, read from the catalog once per day per process: view
    beacons and podcast downloads hash every request with one (downloads with
    yesterday's too), and a burst of them is one read, not one transaction (and pooled
    connection) each. The first request of a day reads the salt while the others wait;
    the rest of the day no request takes the lock: dozens of request threads queueing on
    it would each sleep and wake again."""

    def __init__(self, sessions: sessionmaker[Session]):
        self._sessions = sessions
        self._known: dict[date, str] = {}  # replaced whole, so read without the lock
        self._lock = threading.Lock()

    def of(self, day: date) -> str:
        """The salt of ``day`` (see :func:`salt_day`), created on first use."""
        salt = self._known.get(day)
        if salt is not None:
            return salt
        with self._lock:
            if day not in self._known:
                with transaction(self._sessions) as session:
                    salt = daily_salt(session, day)
                oldest = day - timedelta(days=SALT_KEEP_DAYS)
                self._known = {known: value for known, value in self._known.items() if known > oldest} \
                    | {day: salt}
            return self._known[day]


@dataclass(frozen=True)
class View:
    """A view to count: who watched which episode, and when."""

    episode_id: int
    viewer: str
    at: datetime


def record_views(connection: Connection, views: list[View], tz: tzinfo) -> list[bool]:
    """Count each view unless its viewer was already counted that hour (also earlier
    in ``views``); return, per view, whether it counted. The caller commits.

    Set-based, so a batch of beacons costs the same statements as one beacon: the unique
    key drops repeats and ``RETURNING`` names the rows that went in; each counted view is
    added to its episode's total for the local day it was watched on.
    """
    keys = [(v.episode_id, v.viewer, hour_of(v.at)) for v in views]
    days: dict[tuple[int, str, datetime], date] = {}
    for key, view in zip(keys, views):
        days.setdefault(key, view.at.astimezone(tz).date())
    inserted = _insert_new(connection, days)
    counted, seen = [], set()
    for key in keys:
        counted.append(key in inserted and key not in seen)
        seen.add(key)
    return counted


def _insert_new(connection: Connection, days: dict[tuple[int, str, datetime], date]) -> set:
    """Insert the (episode, viewer, UTC hour) keys not yet stored, add them to their
    day's totals (``days`` maps a key to its local day), return the keys inserted.

    On PostgreSQL this is one statement (``_count_new``): the writer waits for a round
    trip to the server per statement, and round trips, not the server's work, are what a
    batch costs there. SQLite has no INSERT inside WITH, and a statement costs no round
    trip there, so it takes two.
    """
    statements = _batch_statements(connection.dialect.name)
    if statements.count_new is not None:
        rows = connection.execute(statements.count_new, {
            "episode_ids": [e for e, _, _ in days], "viewers": [w for _, w, _ in days],
            "hours": [h for _, _, h in days], "days": list(days.values())})
        return {(episode_id, viewer, _utc(hour)) for episode_id, viewer, hour in rows.all()}
    inserted = {(row.episode_id, row.viewer, _utc(row.hour)) for row in connection.execute(
        statements.new_events, [{"episode_id": e, "viewer": w, "hour": h} for e, w, h in days])}
    per_day = Counter((key[0], days[key]) for key in inserted)
    if per_day:
        connection.execute(statements.add_daily,
                           [{"episode_id": e, "day": d, "views": n} for (e, d), n in per_day.items()])
    return inserted


def _utc(hour: datetime) -> datetime:
    """A stored hour as an aware UTC datetime (SQLite gives it back naive, in UTC;
    PostgreSQL in the connection's time zone)."""
    return hour.replace(tzinfo=timezone.utc) if hour.tzinfo is None else hour.astimezone(timezone.utc)


class _BatchStatements(NamedTuple):
    new_events: Insert  # the views not yet counted that hour, named by RETURNING
    add_daily: Insert  # add to the daily totals
    episodes: Select  # id, duration and status of the episodes with the ids ``ids``
    count_new: Select | None  # PostgreSQL: new_events and add_daily in one statement


@functools.cache
def _batch_statements(dialect: str) -> _BatchStatements:
    """The statements of a batch, built once per dialect: a statement built anew for each
    batch costs SQLAlchemy more Python than running it does (its cache key is computed
    again each time), and the writer thread runs this for every batch."""
    insert = _insert_of(dialect)
    daily = insert(DailyViews)
    return _BatchStatements(
        insert(ViewEvent).on_conflict_do_nothing()
        .returning(ViewEvent.episode_id, ViewEvent.viewer, ViewEvent.hour),
        daily.on_conflict_do_update(index_elements=["episode_id", "day"],
                                    set_={"views": DailyViews.views + daily.excluded.views}),
        select(Episode.id, Episode.duration_ms, Episode.status).where(
            # PostgreSQL: one array parameter, so one SQL text whatever the batch (which
            # psycopg then prepares once) instead of a list rendered into each query
            Episode.id == any_(bindparam("ids", type_=ARRAY(Integer))) if dialect == "postgresql"
            else Episode.id.in_(bindparam("ids", expanding=True))),
        _count_new() if dialect == "postgresql" else None)


def _count_new() -> Select:
    """PostgreSQL: insert the sent keys (arrays ``episode_ids``, ``viewers``, ``hours``,
    ``days``, one element per distinct key), add those that went in to their day's
    totals, and return them; one statement, so one round trip."""
    sent = select(func.unnest(bindparam("episode_ids", type_=ARRAY(Integer)),
                              bindparam("viewers", type_=ARRAY(String)),
                              bindparam("hours", type_=ARRAY(DateTime(timezone=True))),
                              bindparam("days", type_=ARRAY(Date)))
                  .table_valued("episode_id", "viewer", "hour", "day").render_derived(name="sent")).cte("sent")
    new = (postgresql.insert(ViewEvent)
           .from_select(["episode_id", "viewer", "hour"], select(sent.c.episode_id, sent.c.viewer, sent.c.hour))
           .on_conflict_do_nothing()
           .returning(ViewEvent.episode_id, ViewEvent.viewer, ViewEvent.hour).cte("new"))
    totals = postgresql.insert(DailyViews).from_select(
        ["episode_id", "day", "views"],
        select(sent.c.episode_id, sent.c.day, func.count())
        .join_from(new, sent, and_(new.c.episode_id == sent.c.episode_id, new.c.viewer == sent.c.viewer,
                                   new.c.hour == sent.c.hour))
        .group_by(sent.c.episode_id, sent.c.day))
    totals = totals.on_conflict_do_update(index_elements=["episode_id", "day"],
                                          set_={"views": DailyViews.views + totals.excluded.views})
    return select(new.c.episode_id, new.c.viewer, new.c.hour).add_cte(totals.cte("totals"))


def record_view(session: Session, episode_id: int, viewer: str, now: datetime, tz: tzinfo) -> bool:
    """Count one view (see :func:`record_views`); True when counted."""
    return record_views(session.connection(), [View(episode_id, viewer, now)], tz)[0]


@dataclass(frozen=True)
class Beacon:
    """A player's report that ``viewer`` watched ``watched_ms`` of an episode at ``at``.

    ``unwanted`` is why it must not count whatever the episode says ("bot", "staff
    preview"), decided from the request; the episode checks are :func:`count_beacons`'.
    """

    episode_id: int
    watched_ms: int
    viewer: str
    at: datetime
    unwanted: str = ""


@dataclass(frozen=True)
class Answer:
    """What a beacon gets back: counted or not and why, or ``error`` for a beacon no
    honest player sends (an unknown episode, an impossible watch time)."""

    counted: bool
    reason: str = ""
    error: str = ""


def count_beacons(connection: Connection, beacons: list[Beacon], tz: tzinfo) -> list[Answer]:
    """Check each beacon against its episode and count those that are views; one answer
    per beacon, same order. The caller commits.

    Made for a batch (``episodes.groupcommit``): the episodes are read with one query for
    the whole batch, in the transaction that counts the views, so a beacon costs no
    query of its own and is checked against the episode as it is when counted.
    """
    episodes = {row.id: row for row in connection.execute(
        _batch_statements(connection.dialect.name).episodes,
        {"ids": list({b.episode_id for b in beacons})}).all()}  # one fetch, not one per row
    answers: list[Answer | View] = [_check(b, episodes.get(b.episode_id)) for b in beacons]
    views = [a for a in answers if isinstance(a, View)]
    counted = iter(record_views(connection, views, tz) if views else ())
    return [a if isinstance(a, Answer) else
            Answer(True) if next(counted) else Answer(False, "already counted this hour")
            for a in answers]


def _check(beacon: Beacon, episode) -> Answer | View:
    """The answer for a beacon that is no view, else the view to count."""
    if episode is None:
        return Answer(False, error=f"unknown episode {beacon.episode_id}")
    if not plausible(beacon.watched_ms, episode.duration_ms):
        return Answer(False, error=f"'watched' {beacon.watched_ms / 1000:g} s is impossible "
                                   "for this episode")
    if beacon.unwanted:
        return Answer(False, beacon.unwanted)
    if episode.status != "published":
        return Answer(False, "staff preview")
    if not countable(beacon.watched_ms, episode.duration_ms):
        return Answer(False, "not watched long enough")
    return View(beacon.episode_id, beacon.viewer, beacon.at)


class LiveViewEvent(Base):
    """One counted viewer of a live broadcast: the same rules as episodes (>= 10 s
    watched; once per viewer, broadcast and clock hour), the same unique-key dedupe."""

    __tablename__ = "live_view_events"
    __table_args__ = (UniqueConstraint("broadcast_id", "viewer", "hour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("live_broadcasts.id", ondelete="CASCADE"))
    viewer: Mapped[str] = mapped_column(String(64))
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC, truncated


def record_live_view(session: Session, broadcast_id: int, viewer: str, now: datetime) -> bool:
    """Count a live viewer unless counted already this hour; True when counted."""
    inserted = session.execute(
        _insert(session, LiveViewEvent).on_conflict_do_nothing().returning(LiveViewEvent.id),
        [{"broadcast_id": broadcast_id, "viewer": viewer, "hour": hour_of(now)}]).first()
    return inserted is not None


def live_views(session: Session, broadcast_id: int) -> int:
    return session.scalar(select(func.count()).select_from(LiveViewEvent)
                          .where(LiveViewEvent.broadcast_id == broadcast_id))


def total_views(session: Session, episode_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(DailyViews.views), 0))
                          .where(DailyViews.episode_id == episode_id))


def daily_counts(session: Session, since: date) -> list[tuple[int, date, int]]:
    """(episode id, day, views) for every day from ``since`` with views, oldest first."""
    rows = session.execute(select(DailyViews.episode_id, DailyViews.day, DailyViews.views)
                           .where(DailyViews.day >= since)
                           .order_by(DailyViews.day, DailyViews.episode_id))
    return [tuple(row) for row in rows]


def top_episodes(session: Session, since: date, limit: int = 10) -> list[tuple[int, int]]:
    """(episode id, views since ``since``), most viewed first."""
    total = func.sum(DailyViews.views)
    rows = session.execute(select(DailyViews.episode_id, total).where(DailyViews.day >= since)
                           .group_by(DailyViews.episode_id)
                           .order_by(total.desc(), DailyViews.episode_id).limit(limit))
    return [tuple(row) for row in rows]


def _insert(session: Session, table):
    """INSERT with ON CONFLICT, in the dialect the catalog runs on."""
    return _insert_of(session.get_bind().dialect.name)(table)


def _insert_of(dialect: str):
    """The INSERT construct with ON CONFLICT of ``dialect`` (PostgreSQL's or SQLite's)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
