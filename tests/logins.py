"""Logging a test client in through the real login form (CSRF token and all), one way for
every area: the ``login`` fixture (tests/conftest.py) uses it on the area's ``app``."""
from __future__ import annotations

import re

from flask import g, has_app_context

from episodes.accounts import create_user

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def token(client, url: str = "/auth/login") -> str:
    """The CSRF token of the form on ``url``.

    A test holding an app context open (the ``session`` fixture) keeps ``g`` across
    requests, so Flask-WTF would hand back a token cached there for another client."""
    if has_app_context():
        g.pop("csrf_token", None)
    found = _TOKEN.search(client.get(url).get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def log_in(client, username: str) -> None:
    """Log ``client`` in as ``username`` (whose password is ``PASSWORD``)."""
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD,
                                                "csrf_token": token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)


def logged_in(app, username: str | None):
    """A new test client of ``app`` logged in as ``username`` (None: anonymous)."""
    client = app.test_client()
    if username:
        log_in(client, username)
    return client


def add_account(session, username: str, role: str = "staff") -> None:
    """An account with ``PASSWORD`` (hashing it costs a moment: add only those a test uses)."""
    create_user(session, username, PASSWORD, role)
    session.commit()
