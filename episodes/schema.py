"""The migration list, in order. Append only.

Each migration creates or alters tables declared in the model modules.
"""
from __future__ import annotations

from sqlalchemy import Connection

from episodes.migrations import create_tables, migration


@migration
def m0001_catalog(connection: Connection) -> None:
    import episodes.models  # noqa: F401

    create_tables(connection, "episodes", "guests", "media_assets", "transcript_cues",
                  "live_broadcasts", "users")


@migration
def m0002_view_counts(connection: Connection) -> None:
    import episodes.views  # noqa: F401

    create_tables(connection, "view_events", "daily_views", "view_salts")


@migration
def m0003_search_index(connection: Connection) -> None:
    from episodes.search import create_index

    if connection.dialect.name == "sqlite":
        create_index(connection)


@migration
def m0004_contest(connection: Connection) -> None:
    import episodes.accounts  # noqa: F401
    import episodes.contest  # noqa: F401
    import episodes.judging  # noqa: F401

    create_tables(connection, "login_failures", "contests", "contest_rounds", "contest_criteria",
                  "contest_judges", "contest_submissions", "contest_round_entries",
                  "contest_conflicts", "contest_prechecks", "contest_assignments",
                  "contest_scores", "contest_score_audit")


@migration
def m0005_podcast_downloads(connection: Connection) -> None:
    import episodes.downloads  # noqa: F401
    from sqlalchemy import text

    create_tables(connection, "podcast_downloads")
    # The media route looks every request up by library path. Plain DDL: an Index
    # object would attach itself to the shared ORM table and reappear in m0001.
    connection.execute(text("CREATE INDEX IF NOT EXISTS ix_media_assets_path ON media_assets (path)"))


@migration
def m0006_episode_change_index(connection: Connection) -> None:
    from sqlalchemy import text

    # the feeds' validator asks for max(updated_at) on every poll
    connection.execute(text("CREATE INDEX IF NOT EXISTS ix_episodes_updated_at ON episodes (updated_at)"))


@migration
def m0007_leases(connection: Connection) -> None:
    from sqlalchemy import Column, DateTime, MetaData, String, Table

    # declared here as it was when added, so later edits to episodes.leases never change it
    Table("leases", MetaData(),
          Column("name", String(100), primary_key=True),
          Column("holder", String(200), nullable=False),
          Column("expires_at", DateTime(timezone=True), nullable=False),
          ).create(connection, checkfirst=True)
