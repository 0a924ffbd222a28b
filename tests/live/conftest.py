"""Fixtures of the live broadcast tests: ``app`` is the real site on a fresh SQLite catalog
whose live page reads the injected ``clock`` (at ``AIR_AT``, the tests' broadcast);
``client``, ``session`` and ``login`` (tests/conftest.py) use it."""
from __future__ import annotations

import pytest

from tests.live.live_site import AIR_AT, LiveSite
from tests.site_data import Clock
from web import create_app


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by mark
def pytest_collection_modifyitems(items):
    """The tests of a module that drives ``LiveSite`` push streams through the real chain
    at real speed, with a captioner that needs most of the machine to keep up: they are
    ``realtime``, and `make test` runs them alone after the rest (DEVELOPERS.md)."""
    for item in items:
        if getattr(getattr(item, "module", None), "LiveSite", None) is LiveSite:
            item.add_marker(pytest.mark.realtime)


@pytest.fixture
def clock() -> Clock:
    return Clock(AIR_AT)


@pytest.fixture
def app(tmp_path, clock, environ):
    return create_app({"TESTING": True, "LIVE_CLOCK": clock, "LIVE_HOTLINE": "0736-7712345",
                       "LIVE_GRACE_SECONDS": "120"}, instance_path=str(tmp_path / "instance"), environ=environ)
