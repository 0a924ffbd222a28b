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
