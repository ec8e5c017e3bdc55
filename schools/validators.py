"""For the migrations only: schools/migrations/0001 names these two field validators by this path, and a migration
that reached main is never edited. The rules live in `schools.rules.roster`; import them from there."""

from .rules.roster import validate_id_number, validate_mobile

__all__ = ["validate_id_number", "validate_mobile"]
