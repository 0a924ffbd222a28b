"""Logging in and out, and who may open what (``role_required``).

Failed logins are counted in the catalog per username and address, so the limit
holds across every server process; a long idle session must log in again; the
session is cleared on login and logout. A session names the user's session
generation (``users.session_generation``): logging out, a new password or disabling
the account raises it, so every copy of every cookie of that user stops working.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Callable
from urllib.parse import urljoin, urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.urls import iri_to_uri
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from episodes import accounts
from episodes.models import User
from web.db import get_session
from web.forms import Form

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.session_protection = "strong"

# Where each role lands after logging in (when no safe ``next`` was given).
HOME_ENDPOINTS = {"judge": "contest.judge_home", "organiser": "contest_admin.home",
                  "entrant": "contest.entrant_home", "staff": "dashboard.index"}


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """What a request knows about who is logged in: never the password hash."""
    id: int
    username: str
    role: str
    display_name: str
    generation: int

    def get_id(self) -> str:
        """What the session cookie stores: ``"<user id>.<session generation>"``."""
        return f"{self.id}.{self.generation}"


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=200)])


class LogoutForm(Form):
    """Logging out is a POST with a CSRF token, so another site cannot log people out."""


def init_app(app: Flask) -> None:
    app.config.setdefault("LOGIN_MAX_FAILURES", 5)
    app.config.setdefault("LOGIN_FAILURE_WINDOW", 15 * 60)  # seconds
    app.config.setdefault("IDLE_TIMEOUT", 30 * 60)  # seconds without a request
    login_manager.init_app(app)
    app.before_request(expire_idle_session)
    # CSRFProtect registers this too; set it here so the logout button never depends on it.
    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)


@login_manager.user_loader
def load_user(session_id: str) -> SessionUser | None:
    """The session's user, if still active and the session's generation is current."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return _session_user(user)


def _session_user(user: User) -> SessionUser:
    return SessionUser(user.id, user.username, user.role, user.display_name, user.session_generation)


def expire_idle_session() -> None:
    """Log out a session idle longer than IDLE_TIMEOUT; otherwise note this request."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    if now - session.get("seen", now) > current_app.config["IDLE_TIMEOUT"]:
        logout_user()
        session.clear()
        flash("您已较长时间未操作，为安全起见请重新登录。")
        return
    session["seen"] = now


def role_required(*roles: str) -> Callable:
    """Only logged-in users with one of ``roles``: anonymous -> login page, others -> 403.

    >>> @bp.route("/dashboard")          # doctest: +SKIP
    ... @role_required("staff", "organiser")
    ... def dashboard(): ...
    """
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403, "您的账号无权访问此页面。")
            return view(*args, **kwargs)
        return wrapped
    return decorator


@bp.route("/login", methods=("GET", "POST"))
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    username, address = form.username.data.strip(), request.remote_addr or "unknown"
    db = get_session()
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])
    if accounts.failures_since(db, username, address, window) >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = window.seconds // 60
        return render_template("auth/login.html", form=form,
                               error=f"登录失败次数过多，请 {minutes} 分钟后再试。"), 429
    user = accounts.authenticate(db, username, form.password.data)
    if user is None:
        accounts.record_failure(db, username, address)
        db.commit()
        return render_template("auth/login.html", form=form, error="用户名或密码不正确。"), 401
    accounts.clear_failures(db, username, address)
    db.commit()
    return _start_session(user)


def _start_session(user: User):
    target = local_target(request.args.get("next", ""))
    session.clear()  # no state from before the login survives (session fixation)
    login_user(_session_user(user))
    session["seen"] = int(time.time())
    if target is None:
        endpoint = HOME_ENDPOINTS.get(user.role)
        target = url_for(endpoint) if endpoint in current_app.view_functions else "/"
    return redirect(target)


# Browsers drop tabs and newlines anywhere in a URL (WHATWG URL parser), so "/\t/x" is "//x".
_BROWSER_STRIPPED = re.compile(r"[\t\n\r]")
_SITE = "http://site.invalid/"


def local_target(target: str) -> str | None:
    """``target`` as a path on this site, or None if a browser would leave the site.

    Checked as the browser will read the Location header werkzeug sends: tabs and
    newlines removed, then non-ASCII percent-encoded (``iri_to_uri``); backslashes,
    which browsers take as slashes, and other control characters are refused.

    >>> local_target("/contest/judge?x=1"), local_target("//evil.example")
    ('/contest/judge?x=1', None)
    """
    cleaned = _BROWSER_STRIPPED.sub("", target)
    if "\\" in cleaned or any(ord(c) < 0x20 or c == "\x7f" for c in cleaned):
        return None
    location = iri_to_uri(cleaned)
    if not location.startswith("/") or location.startswith("//"):
        return None
    resolved = urlsplit(urljoin(_SITE, location))
    return location if (resolved.scheme, resolved.netloc) == ("http", "site.invalid") else None


@bp.route("/logout", methods=("POST",))
def logout():
    if not LogoutForm().validate_on_submit():
        abort(400, "表单已过期，请刷新后重试。")
    if current_user.is_authenticated:
        db = get_session()
        accounts.end_sessions(db.get(User, current_user.id))
        db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
