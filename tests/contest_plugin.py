"""Fixtures of the auth and contest tests, loaded with ``pytest_plugins`` so the contest
is built once per run (test modules import only helpers from ``tests.contest_fixtures``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.contest_fixtures import SLUG, Setup, build_app, make_clip, populate


@pytest.fixture(scope="session")
def contest_template(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """Build the contest once per test run: (instance folder, clips folder, codes)."""
    root = tmp_path_factory.mktemp("contest")
    clips = root / "clips"
    clips.mkdir()
    app = build_app(root / "instance")
    codes = populate(app, make_clip(clips, "ok.mp4"))
    app.extensions["catalog_engine"].dispose()
    return root / "instance", clips, codes


@pytest.fixture
def contest(contest_template, tmp_path) -> Setup:
    """A fresh copy of the template contest (copying beats re-hashing six passwords)."""
    instance, clips, codes = contest_template
    shutil.copytree(instance, tmp_path / "instance")
    app = build_app(tmp_path / "instance")
    return Setup(app, clips, Path(app.config["CONTEST_UPLOADS"]) / SLUG, codes)
