"""Logging in: scrypt hashes, rate limiting held in the catalog, idle re-login, cookies,
disabled accounts, and `studio users` (passwords never on the command line)."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from episodes import accounts
from episodes.models import User, utcnow
from studio.cli import cli
from tests.contest_fixtures import session_of
from tests.logins import PASSWORD, logged_in, token



def _attempt(client, username: str, password: str):
    return client.post("/auth/login", data={"username": username, "password": password,
                                            "csrf_token": token(client)})


def test_passwords_are_stored_as_scrypt_hashes_only(contest):
    with session_of(contest.app) as db:
        user = db.scalar(select(User).where(User.username == "judge_a"))
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_login_lands_on_the_role_home_and_sets_hardened_cookies(contest):
    client = contest.app.test_client()
    response = _attempt(client, "judge_a", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/contest/judge"
    cookie = response.headers["Set-Cookie"]  # Secure when the site is https: test_site_security
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _attempt(contest.app.test_client(), "org", PASSWORD).headers["Location"] == "/contest/admin/"
    assert _attempt(contest.app.test_client(), "staffer", PASSWORD).headers["Location"] == "/dashboard/"


def test_next_only_follows_local_paths(contest):
    client = contest.app.test_client()
    bounced = client.post("/auth/login?next=//evil.example/x", data={
        "username": "judge_a", "password": PASSWORD, "csrf_token": token(client)})
    assert bounced.headers["Location"] == "/contest/judge"


def test_five_failures_lock_the_name_from_that_address_across_processes(contest):
    client = contest.app.test_client()
    for _ in range(5):
        assert _attempt(client, "judge_a", "wrong password!").status_code == 401
    locked = _attempt(client, "judge_a", PASSWORD)
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    # A second app on the same catalog (another worker process) sees the same failures.
    other_worker = contest.another_app()
    assert _attempt(other_worker.test_client(), "judge_a", PASSWORD).status_code == 429
    # Another account, or the same one from another address, is not locked.
    assert _attempt(client, "judge_b", PASSWORD).status_code == 302
    elsewhere = contest.app.test_client()
    assert elsewhere.post("/auth/login", environ_base={"REMOTE_ADDR": "10.0.0.9"}, data={
        "username": "judge_a", "password": PASSWORD, "csrf_token": token(elsewhere)}).status_code == 302


def test_failures_older_than_the_window_do_not_count(contest):
    with session_of(contest.app) as db:
        for _ in range(5):
            accounts.record_failure(db, "judge_a", "127.0.0.1", now=utcnow() - timedelta(minutes=16))
        db.commit()
        assert accounts.failures_since(db, "judge_a", "127.0.0.1", timedelta(minutes=15)) == 0
    assert _attempt(contest.app.test_client(), "judge_a", PASSWORD).status_code == 302


def test_a_long_idle_session_must_log_in_again(contest):
    client = logged_in(contest.app, "judge_a")
    assert client.get("/contest/judge").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert client.get("/contest/judge").status_code == 200  # 29 min: still fine, and refreshed
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    expired = client.get("/contest/judge")
    assert expired.status_code == 302 and expired.headers["Location"].startswith("/auth/login")
    assert "请重新登录" in client.get(expired.headers["Location"]).get_data(as_text=True)


def test_logout_is_a_post_that_ends_the_session(contest):
    client = logged_in(contest.app, "judge_a")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout", data={"csrf_token": token(client)}).status_code == 302
    assert client.get("/contest/judge").status_code == 302


def test_a_disabled_account_cannot_log_in_and_its_session_ends(contest):
    client = logged_in(contest.app, "judge_a")
    with session_of(contest.app) as db:
        accounts.set_active(db, "judge_a", False)
        db.commit()
    assert client.get("/contest/judge").status_code == 302
    assert _attempt(contest.app.test_client(), "judge_a", PASSWORD).status_code == 401


def test_studio_users_reads_passwords_from_stdin_and_manages_accounts(runner):
    added = runner.invoke(cli, ["users", "add", "wang", "--role", "staff", "--name", "王工",
                                "--password-stdin"], input="a long enough secret\n")
    assert added.exit_code == 0, added.output
    assert "wang\tstaff\t王工\tactive" in runner.invoke(cli, ["users", "list"]).output
    short = runner.invoke(cli, ["users", "passwd", "wang", "--password-stdin"], input="short\n")
    assert short.exit_code == 3 and "password too short" in short.output
    assert "Traceback" not in short.output
    assert runner.invoke(cli, ["users", "disable", "wang"]).exit_code == 0
    assert "disabled" in runner.invoke(cli, ["users", "list", "--role", "staff"]).output
    duplicate = runner.invoke(cli, ["users", "add", "wang", "--role", "judge", "--password-stdin"],
                              input="another long secret\n")
    assert duplicate.exit_code == 3 and "wang: a user with this name already exists" in duplicate.output
    missing = runner.invoke(cli, ["users", "disable", "nobody"])
    assert missing.exit_code == 3 and "nobody: no such user" in missing.output


@pytest.mark.parametrize("name", ["\u202eadmin", "../x", "wang li", "a\tb", "x/y", "zero\u200bwidth"])
def test_usernames_with_spaces_slashes_or_invisible_characters_are_refused(runner, name):
    """A right-to-left override would show 'nimda' as 'admin' in lists and audit logs."""
    result = runner.invoke(cli, ["users", "add", name, "--role", "staff", "--password-stdin"],
                                input="a long enough secret\n")
    assert result.exit_code == 3 and "username must have no spaces" in result.output
    assert "\n" not in result.output.strip()


def test_studio_users_prompts_hidden_with_confirmation(runner):
    result = runner.invoke(cli, ["users", "add", "li", "--role", "judge"],
                                input="prompted secret 1\nprompted secret 1\n")
    assert result.exit_code == 0 and "prompted secret" not in result.output
