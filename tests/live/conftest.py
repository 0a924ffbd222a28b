"""Fixtures of the live broadcast tests: ``app`` is the real site on a fresh SQLite catalog
whose live page reads the injected ``clock`` (at ``AIR_AT``, the tests' broadcast);
``client``, ``session`` and ``login`` (tests/conftest.py) use it."""
from __future__ import annotations

import pytest

from tests.live.live_site import AIR_AT
from tests.site_data import Clock
from web import create_app


@pytest.fixture
def clock() -> Clock:
    return Clock(AIR_AT)


@pytest.fixture
def app(tmp_path, clock, environ):
    return create_app({"TESTING": True, "LIVE_CLOCK": clock, "LIVE_HOTLINE": "0736-7712345",
                       "LIVE_GRACE_SECONDS": "120"}, instance_path=str(tmp_path / "instance"), environ=environ)
