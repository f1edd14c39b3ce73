"""Alembic migrations; installed as ledger.migrations (see pyproject.toml)."""
