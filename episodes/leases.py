"""Named leases in the catalog database: at most one holder per name, across processes
and machines.

A lease is one row (``name``, ``holder``, ``expires_at``). :func:`take` gets it with a
single conditional UPDATE (free, expired, or already ours) or, for a name never used,
an INSERT that the primary key lets only one process win; either way the database
decides, so it works wherever every process reaches the same catalog (a file lock
on a network share does not). The holder renews it well inside ``ttl``; if the
holder dies, the lease expires and the next :func:`take` by anyone else succeeds.

Times come from the caller's clock, so machines sharing a catalog need synchronised
clocks (NTP) and a ``ttl`` much longer than their skew.

Example::

    me = holder_id()
    if take(engine, "scheduler", me, timedelta(seconds=30)):
        ...  # lead; call take() again every few seconds to renew
    release(engine, "scheduler", me)
"""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from episodes.db import Base
from episodes.models import as_utc, utcnow

leases = Table(
    "leases", Base.metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    expires_at: datetime


def holder_id() -> str:
    """A holder name unique to this process, readable by people: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take(engine: Engine, name: str, holder: str, ttl: timedelta,
         now: datetime | None = None) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``now + ttl``; True if held now.

    Succeeds when the lease is free, expired or already ``holder``'s; fails (False)
    while anyone else holds an unexpired lease.
    """
    now = now or utcnow()
    with engine.begin() as connection:
        changed = connection.execute(
            update(leases).where(leases.c.name == name,
                                 or_(leases.c.holder == holder, leases.c.expires_at <= now))
            .values(holder=holder, expires_at=now + ttl)).rowcount
    if changed:
        return True
    try:
        with engine.begin() as connection:
            connection.execute(insert(leases).values(name=name, holder=holder,
                                                     expires_at=now + ttl))
    except IntegrityError:  # the row exists: someone else holds it
        return False
    return True


def renew(engine: Engine, name: str, holder: str, ttl: timedelta,
          now: datetime | None = None) -> bool:
    """Extend ``holder``'s lease; False if it is no longer ``holder``'s (taken over).

    Unlike :func:`take`, never takes a lease it did not hold, so a holder that
    stalled past its expiry learns it lost leadership instead of silently regaining it.
    """
    now = now or utcnow()
    with engine.begin() as connection:
        return bool(connection.execute(
            update(leases).where(leases.c.name == name, leases.c.holder == holder)
            .values(expires_at=now + ttl)).rowcount)


def release(engine: Engine, name: str, holder: str) -> None:
    """Give the lease up (if still ``holder``'s) so the next taker needs no wait."""
    with engine.begin() as connection:
        connection.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))


def current(engine: Engine, name: str, now: datetime | None = None) -> Lease | None:
    """The unexpired lease ``name``, or None when nobody holds it."""
    now = now or utcnow()
    with engine.connect() as connection:
        row = connection.execute(select(leases).where(leases.c.name == name,
                                                      leases.c.expires_at > now)).first()
    return Lease(row.name, row.holder, as_utc(row.expires_at)) if row else None
