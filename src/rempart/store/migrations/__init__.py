"""Alembic migration scripts (one per capability, chained)."""
