"""The migration list, in order. Append only.

Each migration creates or alters tables declared in the model modules.
"""
from __future__ import annotations

from sqlalchemy import Connection

from episodes.migrations import create_tables, migration
