"""Fixtures of the review workspace's tests: ``app`` is the real site on a fresh catalog,
on each engine, with one episode's media as its library; ``client``, ``session`` and
``login`` (tests/conftest.py) use it; ``episode`` is an episode in review and ``staff``
the CSRF token of ``client`` logged in as the staff member ``wang``."""
from __future__ import annotations

import pytest

from tests.logins import add_account, log_in
from tests.review_data import add_review_episode, csrf_of
from tests.site_data import site_app


@pytest.fixture
def app(tmp_path, media_root, database_url, environ):
    return site_app(tmp_path, media_root, database_url, environ)


@pytest.fixture
def episode(app, session, media_root):
    return add_review_episode(session, app, media_root)


@pytest.fixture
def staff(client, session, episode) -> str:
    add_account(session, "wang")
    log_in(client, "wang")
    return csrf_of(client)
