"""A throwaway PostgreSQL server for the test session, and a fresh database per test.

``WULING_TEST_POSTGRES_URL`` (a superuser URL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) names a server to use
instead. Otherwise Debian's binaries (``/usr/lib/postgresql/<version>/bin``) start one
in a temporary folder on a free loopback port, with its socket in that folder. Run as
root (CI), ``initdb`` and ``postgres`` run as the ``postgres`` user, which PostgreSQL
requires. The cluster is UTF-8 with the C.UTF-8 locale: under the plain C locale
``pg_trgm`` sees no Chinese characters as word characters and indexes none of them.

Each test gets its own database, copied from a template that has every catalog
migration applied once per session (``CREATE DATABASE ... TEMPLATE`` copies files, so
it costs a few tens of milliseconds). ``fsync=off`` and asynchronous commits: nothing
here must survive a crash (a test that crashes the server starts a ``durable`` one).
"""
from __future__ import annotations

import ctypes
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEMPLATE = f"wuling_template_{os.getpid()}"  # one per test process: xdist workers may share a given server
PR_SET_PDEATHSIG = 1  # linux/prctl.h
_names = itertools.count(1)


def postgres_bin() -> Path | None:
    """Debian's newest installed PostgreSQL binaries folder, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


class PostgresServer:
    """A running server: ``admin_url`` is a superuser URL to its ``postgres`` database."""

    def __init__(self, admin_url: str, folder: Path | None = None):
        self.admin_url = admin_url
        self.process: subprocess.Popen | None = None  # None: a server we were given
        self.folder = folder
        self.command: list[str] = []
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.template_ready = False
        self.created: list[str] = []

    @classmethod
    def start(cls, durable: bool = False) -> "PostgresServer":
        """Start a new cluster; ``durable`` keeps PostgreSQL's production settings (every
        commit flushed to disk before it returns, so it survives a :meth:`crash`), which
        the shared test server trades for speed."""
        binaries = postgres_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed: make installs Debian's postgresql")
        folder = Path(tempfile.mkdtemp(prefix="wuling-pg-"))
        folder.chmod(0o755)
        if _run_as_postgres():
            shutil.chown(folder, "postgres", "postgres")
        data = folder / "data"
        _run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], _run_as_postgres())
        port = _free_port()
        server = cls(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", folder)
        fast = [] if durable else ["-c", "fsync=off", "-c", "synchronous_commit=off",
                                   "-c", "full_page_writes=off"]
        server.command = [str(binaries / "postgres"), "-D", str(data), "-p", str(port),
                          "-h", "127.0.0.1", "-k", str(folder), "-c", "max_connections=200", *fast]
        server.run()
        return server

    def run(self) -> None:
        """Start (or start again) the server process and wait until it takes queries."""
        log = self.folder / "server.log"
        with open(log, "ab") as errors:
            self.process = subprocess.Popen(self.command, preexec_fn=_server_preexec(),
                                            stdout=subprocess.DEVNULL, stderr=errors)
        _wait_until_up(make_url(self.admin_url).port, self.process, log)

    def crash(self) -> None:
        """Stop the server at once, as a crash or a pulled cable would (immediate shutdown:
        every connection is cut); :meth:`run` starts it again."""
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(20)

    def new_database(self, template: str = "") -> str:
        """A fresh database copied from ``template`` (a URL from here), by default a
        migrated, empty catalog; returns its URL."""
        if not template and not self.template_ready:
            self._make_template()
        source = make_url(template).database if template else TEMPLATE
        return self._create(f'TEMPLATE "{source}"')

    def empty_database(self) -> str:
        """A fresh database with no tables (for migrations and ``studio db copy``)."""
        return self._create("")

    def _create(self, clause: str) -> str:
        name = f"wuling_{os.getpid()}_{next(_names)}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" {clause}'))
        self.created.append(name)
        return self.url(name)

    def url(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def _make_template(self) -> None:
        from episodes.db import make_engine
        from episodes.schema import migrations

        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}"'))
            connection.execute(text(f'CREATE DATABASE "{TEMPLATE}"'))
        engine = make_engine(self.url(TEMPLATE))
        migrations.apply(engine)
        engine.dispose()
        self.template_ready = True

    def stop(self) -> None:
        if not self.command:  # a server we were given: leave it as we found it
            with self._admin.connect() as connection:
                for name in [*self.created, TEMPLATE]:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()
        if self.process is not None:
            # SIGINT: fast shutdown. (SIGTERM would wait for every client to leave, and
            # apps built by tests keep pooled connections until the interpreter exits.)
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run_as_postgres():
    """A preexec function switching to the postgres user when running as root, else None."""
    if os.geteuid() != 0:
        return None
    user = pwd.getpwnam("postgres")

    def switch() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
    return switch


def _server_preexec():
    """As the postgres user when root, and ended (immediate shutdown) when the test
    process dies, however it dies: a killed test run leaves no server behind."""
    switch = _run_as_postgres()

    def preexec() -> None:
        if switch:
            switch()
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)  # after setuid, which clears it
    return preexec


def _run(args: list[str], preexec) -> None:
    done = subprocess.run(args, preexec_fn=preexec, capture_output=True, text=True, cwd="/")
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()[-500:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"postgres exited: {log.read_text(errors='replace')[-500:]}")
        try:  # the port opens before the server accepts queries
            psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                            connect_timeout=1).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise RuntimeError("postgres did not start within 30 s")
