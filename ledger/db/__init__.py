"""Persistence: engines, the schema's models and migrations, set-based SQL.

Only constants live here: `ledger --help` reads DEFAULT_URL without importing SQLAlchemy."""

DEFAULT_URL = "sqlite:///ledger.db"
