"""People who log in: create, verify, change password, disable, end sessions;
failed-login records.

Passwords are stored as werkzeug scrypt hashes only. Failed logins are rows in the
catalog (not process memory) so the rate limit holds across every worker process.
"""
from __future__ import annotations

import unicodedata

from datetime import datetime, timedelta

from sqlalchemy import DateTime, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from episodes.db import Base
from episodes.errors import CatalogError, NotFound
from episodes.models import User, utcnow
from episodes.vocabulary import ROLES

MIN_PASSWORD_LENGTH = 10
# Checked when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class LoginFailure(Base):
    """One failed login attempt for a username from an address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def hash_password(password: str) -> str:
    """Refuse short passwords, then hash with scrypt (werkzeug's default cost)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CatalogError(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password, method="scrypt")


def create_user(session: Session, username: str, password: str, role: str,
                display_name: str = "") -> User:
    """Add an active user; ``username`` must be new and ``role`` one of ROLES."""
    username = username.strip()
    if not username or len(username) > 80:
        raise CatalogError("username must be 1 to 80 characters", username)
    if any(char.isspace() or char in "/\\" or unicodedata.category(char).startswith("C") for char in username):
        raise CatalogError("username must have no spaces, slashes or invisible characters "
                           "(such as a right-to-left override)", repr(username))
    if role not in ROLES:
        raise CatalogError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", username)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise CatalogError("a user with this name already exists", username)
    user = User(username=username, password_hash=hash_password(password), role=role,
                display_name=display_name or username, active=True)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("no such user", username)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(session: Session, username: str, password: str) -> User:
    """A new password ends every session logged in with the old one."""
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    end_sessions(user)
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    """Disabling an account also ends its sessions (re-enabling revives none of them)."""
    user = get_user(session, username)
    user.active = active
    end_sessions(user)
    return user


def end_sessions(user: User) -> None:
    """Make every existing session of ``user`` invalid, on every device.

    Each session records the generation it was logged in under; the site's user
    loader refuses a session whose generation is no longer the user's.
    """
    user.session_generation = (user.session_generation or 0) + 1


def list_users(session: Session, role: str | None = None) -> list[User]:
    query = select(User).order_by(User.role, User.username)
    if role:
        query = query.where(User.role == role)
    return list(session.scalars(query))


def failures_since(session: Session, username: str, remote_addr: str, window: timedelta,
                   now: datetime | None = None) -> int:
    """How many failed logins this username had from this address within ``window``."""
    since = (now or utcnow()) - window
    return session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.username == username, LoginFailure.remote_addr == remote_addr,
        LoginFailure.at >= since)) or 0


def record_failure(session: Session, username: str, remote_addr: str,
                   now: datetime | None = None) -> None:
    session.add(LoginFailure(username=username, remote_addr=remote_addr, at=now or utcnow()))


def clear_failures(session: Session, username: str, remote_addr: str) -> None:
    """Forget failures after a successful login, so a typo an hour ago never locks out."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username,
                                               LoginFailure.remote_addr == remote_addr))
