"""The values the catalog's state columns hold, in a module that imports nothing, so
the CLI can offer them as choices without loading SQLAlchemy."""
from __future__ import annotations

STATUSES = ("draft", "scheduled", "published", "archived")  # episodes.status
ROLES = ("staff", "organiser", "judge", "entrant")  # users.role
