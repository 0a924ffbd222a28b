"""`studio db`: schema migrations of the catalog."""
from __future__ import annotations

import click

from episodes.db import database_url, make_engine
from episodes.schema import migrations
from studio import settings


def catalog_engine():
    return make_engine(database_url(settings.get("instance_path"), settings.get("database_url")))


@click.group("db")
def db_group() -> None:
    """Catalog database: apply and list schema migrations."""


@db_group.command("upgrade")
def upgrade_command() -> None:
    """Apply pending schema migrations (safe to run again)."""
    ran = migrations.apply(catalog_engine())
    click.echo(f"applied {len(ran)} migration(s)" + (": " + ", ".join(ran) if ran else ""))


@db_group.command("status")
def status_command() -> None:
    """List the migrations already applied."""
    for name in migrations.applied(catalog_engine()):
        click.echo(name)


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
