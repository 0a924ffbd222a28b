"""`studio db`: schema migrations of the catalog."""
from __future__ import annotations

import click

from studio.cli_support import catalog_engine


@click.group("db")
def db_group() -> None:
    """Catalog database: apply and list schema migrations."""


@db_group.command("upgrade")
def upgrade_command() -> None:
    """Apply pending schema migrations (safe to run again)."""
    from episodes.schema import migrations

    ran = migrations.apply(catalog_engine())
    click.echo(f"applied {len(ran)} migration(s)" + (": " + ", ".join(ran) if ran else ""))


@db_group.command("status")
def status_command() -> None:
    """List the migrations already applied."""
    from episodes.schema import migrations

    for name in migrations.applied(catalog_engine()):
        click.echo(name)
