"""`studio users`: accounts for the staff dashboard and the contest.

Passwords come from a hidden prompt or the first line of stdin (``--password-stdin``),
never from an argument, which any user on the machine could read in ``ps``.
"""
from __future__ import annotations

from typing import Callable

import click

from episodes.vocabulary import ROLES
from studio.cli_support import catalog_session, password_stdin_option, read_password
from studio.environment import Environment, pass_environment


def with_session(env: Environment, action: Callable) -> object:
    """Run ``action(session)`` in one committed transaction on the ready catalog."""
    with catalog_session(env) as session:
        return action(session)


@click.group("users")
def users_group() -> None:
    """Accounts: staff, organisers, judges and entrants."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--name", "display_name", default="", help="Name shown on the site.")
@password_stdin_option
@pass_environment
def add_command(env: Environment, username: str, role: str, display_name: str,
                password_stdin: bool) -> None:
    """Create an account USERNAME with --role."""
    from episodes import accounts

    password = read_password(password_stdin)
    with_session(env, lambda s: accounts.create_user(s, username, password, role, display_name))
    click.echo(f"added {role} {username}")


@users_group.command("list")
@click.option("--role", type=click.Choice(ROLES), help="Only accounts with this role.")
@pass_environment
def list_command(env: Environment, role: str | None) -> None:
    """List accounts: username, role, name, active or disabled."""
    from episodes import accounts

    for user in with_session(env, lambda s: accounts.list_users(s, role)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username}\t{user.role}\t{user.display_name}\t{state}")


@users_group.command("passwd")
@click.argument("username")
@password_stdin_option
@pass_environment
def passwd_command(env: Environment, username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME (ends every session they have open)."""
    from episodes import accounts

    password = read_password(password_stdin)
    with_session(env, lambda s: accounts.set_password(s, username, password))
    click.echo(f"password changed for {username}")


@users_group.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable a disabled account instead.")
@pass_environment
def disable_command(env: Environment, username: str, enable: bool) -> None:
    """Stop USERNAME from logging in and end every session they have open."""
    from episodes import accounts

    with_session(env, lambda s: accounts.set_active(s, username, enable))
    click.echo(f"{'enabled' if enable else 'disabled'} {username}")

