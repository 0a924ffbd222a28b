"""Back up and restore the catalog: SQLite's online backup API, or PostgreSQL's
``pg_dump``/``pg_restore``.

The backup copies a consistent snapshot while the site keeps serving (no need to stop
it, unlike copying the SQLite file, which can catch a half-applied WAL; ``pg_dump``
reads one snapshot too). A restore refuses anything that is not an intact catalog,
then replaces the live database's content in one step (one transaction on PostgreSQL).
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from studio.errors import StudioError
from studio.files import atomic_path

# Tables a catalog backup must hold before it may replace the live one.
REQUIRED_TABLES = ("schema_migrations", "users", "contests", "contest_scores", "contest_score_audit")


def sqlite_file(engine: Engine) -> Path:
    """The catalog's database file, or StudioError for a non-SQLite catalog."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise StudioError("backup and restore work on the SQLite catalog; use your database's own "
                          "tools (e.g. pg_dump) for other databases", engine.url.render_as_string())
    return Path(engine.url.database)


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the live catalog to ``target`` (atomically): a SQLite
    file, or on PostgreSQL a ``pg_dump`` archive (custom format)."""
    if engine.dialect.name == "postgresql":
        with atomic_path(target) as tmp:
            _postgres_tool("pg_dump", target, "--format=custom", f"--file={tmp}",
                           f"--dbname={_libpq_url(engine)}")
        return
    source = sqlite3.connect(sqlite_file(engine))
    try:
        with atomic_path(target) as tmp:
            copy = sqlite3.connect(tmp)
            try:
                source.backup(copy)
            finally:
                copy.close()
            check_catalog(tmp, label=target)
    finally:
        source.close()


def check_catalog(path: Path, label: object = None) -> None:
    """Refuse a file that is not an intact catalog with the contest tables."""
    label = label or path
    if not path.is_file():
        raise StudioError("no such backup file", label)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            status = db.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise StudioError(f"not a SQLite database ({exc})", label) from exc
    if status != "ok":
        raise StudioError(f"backup is damaged (integrity check: {status})", label)
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise StudioError(f"not a catalog backup: tables {', '.join(missing)} are missing", label)


def restore(engine: Engine, source: Path) -> None:
    """Replace the live catalog's content with the backup ``source``."""
    if engine.dialect.name == "postgresql":
        if not source.is_file():
            raise StudioError("no such backup file", source)
        _postgres_tool("pg_restore", source, "--list", str(source))  # refuses a non-archive
        _postgres_tool("pg_restore", source, "--clean", "--if-exists", "--single-transaction",
                       "--no-owner", f"--dbname={_libpq_url(engine)}", str(source))
        return
    check_catalog(source)
    engine.dispose()  # our own pooled connections must not keep the old pages
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(sqlite_file(engine))
    try:
        backup_db.backup(live)
    finally:
        live.close()
        backup_db.close()


def _libpq_url(engine: Engine) -> str:
    """The catalog URL as PostgreSQL's own tools read it (no ``+psycopg`` driver part)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_tool(name: str, path: Path, *args: str) -> None:
    """Run pg_dump or pg_restore; their last line of stderr becomes the one-line error."""
    tool = shutil.which(name)
    if tool is None:
        raise StudioError(f"{name} is not installed (Debian: apt-get install postgresql-client)", path)
    done = subprocess.run([tool, *args], capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StudioError(f"{name} failed: {tail}", path)
