"""Fixtures of the public site's tests (pages, feeds, search, views, logins, browsers,
serving): ``app`` is the real site on a fresh catalog, on each engine, with one episode's
media as its library; ``client``, ``session`` and ``login`` (tests/conftest.py) use it;
``clock`` is the views' injected clock, at noon in Shanghai."""
from __future__ import annotations

import pytest

from tests.site_data import NOON, Clock, site_app


@pytest.fixture
def app(tmp_path, media_root, database_url, environ):
    return site_app(tmp_path, media_root, database_url, environ)


@pytest.fixture
def clock(app) -> Clock:
    app.config["VIEWS_CLOCK"] = Clock(NOON)
    return app.config["VIEWS_CLOCK"]
