"""Words the catalog stores (episode statuses, roles, default round names), in a module
that imports nothing, so the CLI offers them as choices and defaults without loading
SQLAlchemy."""
from __future__ import annotations

STATUSES = ("draft", "scheduled", "published", "archived")  # episodes.status
ROLES = ("staff", "organiser", "judge", "entrant")  # users.role
DEFAULT_ROUNDS = ("初评", "复评", "终评")  # contest_rounds.name of a new contest
