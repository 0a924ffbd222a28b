"""Shared fixtures: real files under tmp_path, the shared media, the bundled samples,
and the catalog database on both engines (SQLite file, throwaway PostgreSQL)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_MEDIA = ROOT.parent / "shared" / "media"
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_CLIPS = ("guide_business_license", "guide_property_registration", "talk_legal_aid",
                "guide_social_security_card", "talk_law_enforcement")
HELDOUT = FIXTURES / "heldout"
# One copy of each held-out script (synthetic, never tuned on; see heldout/README.md):
# two accented, one noisy, one faster.
HELDOUT_CLIPS = ("pension_transfer_accent", "shop_opening_accent", "wage_dispute_noisy",
                 "street_vendor_fast")


@pytest.fixture(scope="session")
def shared_media() -> Path:
    if not (SHARED_MEDIA / "README.md").exists():
        pytest.fail(f"{SHARED_MEDIA} is missing: clone the project beside ../shared")
    return SHARED_MEDIA


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Keep tests away from the developer's instance folder; share one model cache."""
    monkeypatch.setenv("WULING_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    cache = ROOT / ".venv" / "model-cache"
    monkeypatch.setenv("WULING_MODEL_CACHE", str(cache))


@pytest.fixture(scope="session")
def shared_transcripts(shared_media):
    """Raw transcripts of the five shared WAV clips, transcribed once per test session."""
    from studio.transcribe import transcribe_file

    return {name: transcribe_file(shared_media / f"{name}.wav") for name in SHARED_CLIPS}


@pytest.fixture(scope="session")
def heldout_transcripts():
    """Raw transcripts of four held-out clips (Opus), transcribed once per test session."""
    from studio.transcribe import transcribe_file

    return {name: transcribe_file(HELDOUT / f"{name}.opus") for name in HELDOUT_CLIPS}


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server: ``WULING_TEST_POSTGRES_URL``, else a throwaway one."""
    from tests.postgres_server import PostgresServer

    given = os.environ.get("WULING_TEST_POSTGRES_URL")
    server = PostgresServer(given) if given else PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty-but-migrated catalog on each engine: the tests that take it run twice."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    skip_browser_on_postgresql(request)
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def settings_catalog(database_url, monkeypatch) -> str:
    """The catalog the settings name (``database_url``), on each engine: the instance
    folder's SQLite file, or a PostgreSQL database, for tests that run `studio` commands
    and ``tests.catalog_fixtures`` on one catalog."""
    if not database_url.startswith("sqlite"):
        monkeypatch.setenv("WULING_DATABASE_URL", database_url)
        return database_url
    return ""


def skip_browser_on_postgresql(request) -> None:
    """Browser tests drive the same pages on either engine: they run on SQLite alone and
    the HTTP tests cover PostgreSQL, which keeps Chromium's minutes out of the second run."""
    if request.node.get_closest_marker("browser"):
        pytest.skip("browser tests run on SQLite only; the HTTP tests cover PostgreSQL")
