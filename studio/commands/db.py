"""`studio db`: schema migrations of the catalog."""
from __future__ import annotations

import click

from studio.cli_support import catalog_engine
from studio.environment import Environment, pass_environment


@click.group("db")
def db_group() -> None:
    """Catalog database: apply and list schema migrations."""


@db_group.command("upgrade")
@pass_environment
def upgrade_command(env: Environment) -> None:
    """Apply pending schema migrations (safe to run again)."""
    from episodes.schema import migrations

    ran = migrations.apply(catalog_engine(env))
    click.echo(f"applied {len(ran)} migration(s)" + (": " + ", ".join(ran) if ran else ""))


@db_group.command("status")
@pass_environment
def status_command(env: Environment) -> None:
    """List the migrations already applied."""
    from episodes.schema import migrations

    for name in migrations.applied(catalog_engine(env)):
        click.echo(name)
