"""Shared fixtures: real files under tmp_path, the shared media, the bundled samples,
the catalog database on both engines (SQLite file, throwaway PostgreSQL), the injected
environment (``environ``, ``runner``), and the web fixtures every area with a site shares
(``client``, ``session``, ``login``: each area's conftest.py says which ``app`` they use)."""
from __future__ import annotations

import functools
import gc
import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support import (HELDOUT, HELDOUT_CLIPS, MODEL_CACHE, SHARED_CLIPS, SHARED_MEDIA,
                           isolated_environ, skip_browser_on_postgresql)

pytest_plugins = ["tests.contest_plugin"]  # the contest with an account of every role, built once


@pytest.fixture(scope="session")
def shared_media() -> Path:
    if not (SHARED_MEDIA / "README.md").exists():
        pytest.fail(f"{SHARED_MEDIA} is missing: clone the project beside ../shared")
    return SHARED_MEDIA


@pytest.fixture
def environ(tmp_path_factory) -> dict[str, str]:
    """The environment a test's commands, apps and processes get, injected (``runner``,
    ``create_app(environ=...)``, ``subprocess`` ``env=``), never patched into ``os.environ``:
    see ``isolated_environ``, on a fresh instance folder. Tests add settings to it."""
    return isolated_environ(tmp_path_factory.mktemp("instance"))


@pytest.fixture
def instance(environ) -> Path:
    """The test's instance folder (``environ``'s), its catalog already migrated (a copy:
    see ``tests.catalog_fixtures.seed_catalog``)."""
    from tests.catalog_fixtures import seed_catalog

    folder = Path(environ["WULING_INSTANCE_PATH"])
    seed_catalog(folder)
    return folder


class StudioRunner(CliRunner):
    """click's runner for ``studio`` (as flaskr's ``runner`` is for ``flask``): each command
    gets ``environ`` as its :class:`studio.environment.Environment` unless given ``obj``."""

    def __init__(self, environ: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.environ = environ

    def invoke(self, cli=None, args=None, **kwargs):
        from studio.cli import cli as studio
        from studio.environment import Environment

        kwargs.setdefault("obj", Environment(environ=self.environ))
        return super().invoke(cli or studio, args, **kwargs)


@pytest.fixture
def runner(environ) -> StudioRunner:
    return StudioRunner(environ)


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> Path:
    """A media library holding one episode's real files (``tests.site_data.make_media``)."""
    from tests.site_data import make_media

    root = tmp_path_factory.mktemp("media")
    make_media(root / "ep")
    return root


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A catalog session of ``app``, inside an app context held for the whole test."""
    from web.db import get_session

    with app.app_context():
        yield get_session()


@pytest.fixture
def login(app):
    """``login(username)``: a new test client of ``app`` logged in as ``username`` (an
    account with ``tests.logins.PASSWORD``); ``login(None)``: an anonymous one."""
    from tests.logins import logged_in

    return functools.partial(logged_in, app)


@pytest.fixture(scope="session")
def speech_model():
    """The embedded speech model from the shared model cache, loaded once per process."""
    from studio.transcribe import load_model

    return load_model("base", str(MODEL_CACHE))


class Transcripts(Mapping):
    """Raw transcripts of clips by name, each transcribed on first use and kept: a test
    process (`make test` runs several) transcribes only the clips its tests read."""

    def __init__(self, clips: dict[str, Path], model):
        self.clips, self.model, self.done = clips, model, {}

    def __getitem__(self, name: str):
        from studio.transcribe import transcribe_file

        if name not in self.done:
            self.done[name] = transcribe_file(self.clips[name], model=self.model)
        return self.done[name]

    def __iter__(self):
        return iter(self.clips)

    def __len__(self) -> int:
        return len(self.clips)


@pytest.fixture(scope="session")
def shared_transcripts(shared_media, speech_model) -> Transcripts:
    """Raw transcripts of the five shared WAV clips, each transcribed once per test process."""
    return Transcripts({name: shared_media / f"{name}.wav" for name in SHARED_CLIPS}, speech_model)


@pytest.fixture(scope="session")
def heldout_transcripts(speech_model) -> Transcripts:
    """Raw transcripts of four held-out clips (Opus), each transcribed once per test process."""
    return Transcripts({name: HELDOUT / f"{name}.opus" for name in HELDOUT_CLIPS}, speech_model)


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server: ``WULING_TEST_POSTGRES_URL``, else a throwaway one."""
    from tests.postgres_server import PostgresServer

    given = os.environ.get("WULING_TEST_POSTGRES_URL")
    server = PostgresServer(given) if given else PostgresServer.start()
    yield server
    # A session a test dropped without closing holds its connection until the garbage
    # collector finds it, then rolls it back: collect now, while the server answers, not
    # in pytest's last collection after the summary (an AdminShutdown traceback there).
    gc.collect()
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty-but-migrated catalog on each engine: the tests that take it run twice."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    skip_browser_on_postgresql(request)
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def catalog_sessions(database_url):
    """Sessions of a fresh, migrated catalog on each engine (its engine disposed after)."""
    from episodes.db import make_engine, make_sessionmaker
    from episodes.schema import migrations

    engine = make_engine(database_url)
    migrations.apply(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_catalog(request) -> str:
    """The catalog of a site a test module builds once and its tests only read, on each
    engine: "" (the instance folder's SQLite file) or a fresh PostgreSQL database (as
    ``settings_catalog``, for ``isolated_environ`` and ``tests.catalog_fixtures``)."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def settings_catalog(database_url, environ) -> str:
    """The catalog the settings name (``database_url``), on each engine: the instance
    folder's SQLite file, or a PostgreSQL database named in ``environ``, for tests that run
    `studio` commands and ``tests.catalog_fixtures`` on one catalog."""
    if not database_url.startswith("sqlite"):
        environ["WULING_DATABASE_URL"] = database_url
        return database_url
    return ""
