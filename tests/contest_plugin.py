"""The contest with an account of every role (organiser, judges, entrant, staff), built once
per run and engine and copied for each test: loaded by the root conftest's
``pytest_plugins`` (the contest and site areas use it; helpers: ``tests.contest_fixtures``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import skip_browser_on_postgresql
from tests.contest_fixtures import SLUG, Setup, build_app, make_clip, populate


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def contest_template(request, tmp_path_factory) -> tuple[Path, Path, dict[str, str], str]:
    """Build the contest once per test run and engine: (instance folder, clips folder,
    codes, catalog URL: '' for the instance folder's SQLite file)."""
    root = tmp_path_factory.mktemp("contest")
    clips = root / "clips"
    clips.mkdir()
    url = request.getfixturevalue("postgres").new_database() \
        if request.param == "postgresql" else ""
    app = build_app(root / "instance", {}, DATABASE_URL=url)
    codes = populate(app, make_clip(clips, "ok.mp4"))
    app.extensions["catalog_engine"].dispose()  # a template database must have no sessions
    return root / "instance", clips, codes, url


@pytest.fixture
def contest(contest_template, tmp_path, request, environ) -> Setup:
    """A fresh copy of the template contest (copying beats re-hashing six passwords).

    The test's ``environ`` names the copy's instance folder and, on PostgreSQL, its
    catalog, so `studio` commands (``runner``) and processes a test starts find it."""
    instance, clips, codes, url = contest_template
    if url:
        skip_browser_on_postgresql(request)
    shutil.copytree(instance, tmp_path / "instance")
    environ["WULING_INSTANCE_PATH"] = str(tmp_path / "instance")
    if url:
        environ["WULING_DATABASE_URL"] = request.getfixturevalue("postgres").new_database(template=url)
    app = build_app(tmp_path / "instance", environ)
    return Setup(app, clips, Path(app.config["CONTEST_UPLOADS"]) / SLUG, codes, environ)
