"""The catalog database: SQLite file by default, any SQLAlchemy URL when outgrown.

SQLite runs in WAL mode with ``synchronous=FULL``: view beacons, downloads and
contest scores must survive a power cut once the response has been sent. PostgreSQL
(``postgresql+psycopg://...``) commits durably by default; its pooled connections are
checked before use, so a restarted server costs no failed request.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from episodes.errors import DatabaseUnavailable


class Base(DeclarativeBase):
    """Declarative base shared by every table of the catalog."""


def database_url(instance_path: Path | str, url: str = "") -> str:
    """The configured URL, or a SQLite file in the instance folder."""
    if url:
        return url
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'catalog.sqlite3').resolve()}"


def make_engine(url: str) -> Engine:
    """An engine whose lost or unreachable database raises :class:`DatabaseUnavailable`
    (one line for the CLI, a 503 on the site) instead of a driver error."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def _unavailable(context) -> None:
    """Turn a failed connect or a dropped connection into :class:`DatabaseUnavailable`.

    A failed pre-ping is left alone: the pool answers it by opening a new connection.
    """
    if context.is_pre_ping or not (context.connection is None or context.is_disconnect):
        return
    error = context.original_exception
    first_line = (str(error).strip().splitlines() or ["no message"])[0]
    raise DatabaseUnavailable(f"cannot reach the catalog database: {first_line}",
                              context.engine.url.render_as_string(hide_password=True)) \
        from context.sqlalchemy_exception


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory.begin() as session:
        yield session
