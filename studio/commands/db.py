"""`studio db`: schema migrations of the catalog."""
from __future__ import annotations

import click

from studio.cli_support import catalog_engine
from studio.environment import Environment, pass_environment


@click.group("db")
def db_group() -> None:
    """Catalog database: apply and list schema migrations, copy a catalog to another database."""


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


@db_group.command("copy")
@click.argument("source_url")
@click.argument("target_url")
@click.option("--force", is_flag=True, help="Replace the rows a non-empty target already holds.")
def copy_command(source_url: str, target_url: str, force: bool) -> None:
    """Copy the whole catalog at SOURCE_URL (e.g. sqlite:///instance/catalog.sqlite3) to
    TARGET_URL (e.g. postgresql+psycopg://wuling@db/wuling), then compare row counts and
    content checksums table by table; any difference saves nothing."""
    from episodes.db import make_engine
    from episodes.dbcopy import copy_catalog

    source, target = make_engine(source_url), make_engine(target_url)
    try:
        report = copy_catalog(source, target, replace=force)
    finally:
        source.dispose()
        target.dispose()
    for table in report:
        click.echo(f"{table.name}\t{table.rows} rows\tsha256 {table.checksum[:16]}")
    click.echo(f"copied {sum(t.rows for t in report)} rows in {len(report)} tables; "
               "row counts and checksums match")
