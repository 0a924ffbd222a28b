"""Publishing: draft → scheduled → published → archived.

A scheduled publish is a status plus a ``publish_at`` time in the catalog; the
scheduler only flips it when due. :func:`publish_due` is a conditional update, so
however often a job fires, an episode is published once.

Example::

    at = parse_local_time("2026-12-01 19:30", "Asia/Shanghai")  # 11:30 UTC
    schedule(session, episode, at, now=utcnow())
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import update
from sqlalchemy.orm import Session

from episodes.errors import CatalogError
from episodes.models import Episode, as_utc
from episodes.typed import halfwidth


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CatalogError(f"unknown time zone {name!r}", "timezone setting") from exc


def parse_local_time(text: str, tz_name: str, option: str = "--at") -> datetime:
    """A time typed by a person ("2026-12-01 19:30" or "19：30", local to ``tz_name``) in UTC;
    ``option`` names where it was typed in the error."""
    try:
        moment = datetime.fromisoformat(halfwidth(text).strip())
    except ValueError as exc:
        raise CatalogError("is not a time like 2026-12-01 19:30", f"{option} {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz_name))
    return moment.astimezone(ZoneInfo("UTC"))


def publish_now(episode: Episode, now: datetime) -> None:
    """Publish at once; a new version of a published episode keeps its date."""
    if episode.status != "published":
        episode.published_at = now
    episode.status, episode.publish_at = "published", None


def schedule(episode: Episode, at: datetime, now: datetime) -> None:
    """Mark ``episode`` to go out at ``at`` (UTC); a time already past is refused."""
    if at <= now:
        raise CatalogError(f"{at.isoformat()} is in the past; leave out --at to publish now",
                           episode.slug)
    if episode.status == "published":
        raise CatalogError("is already published; archive it before scheduling it again",
                           episode.slug)
    episode.status, episode.publish_at = "scheduled", at


def unschedule(episode: Episode) -> None:
    if episode.status != "scheduled":
        raise CatalogError(f"is {episode.status}, not scheduled", episode.slug)
    episode.status, episode.publish_at = "draft", None


def unpublish(episode: Episode) -> None:
    """Take a published or scheduled episode back to draft (off the site, not archived)."""
    if episode.status not in ("published", "scheduled"):
        raise CatalogError(f"is {episode.status}, not published or scheduled", episode.slug)
    episode.status, episode.publish_at = "draft", None


def archive(episode: Episode) -> None:
    """Take an episode off the site and feeds; its library files stay where they are."""
    if episode.status == "archived":
        raise CatalogError("is already archived", episode.slug)
    episode.status, episode.publish_at = "archived", None


def publish_due(session: Session, episode_id: int, now: datetime) -> bool:
    """Publish ``episode_id`` if it is scheduled and due; True when this call did it.

    ``published_at`` is the announced time, not the moment a late scheduler woke up,
    so the feed shows the date listeners were told.
    """
    episode = session.get(Episode, episode_id)
    if episode is None or episode.status != "scheduled" or as_utc(episode.publish_at) > now:
        return False
    changed = session.execute(
        update(Episode).where(Episode.id == episode_id, Episode.status == "scheduled")
        .values(status="published", published_at=episode.publish_at)
        .execution_options(synchronize_session=False)).rowcount
    return bool(changed)
