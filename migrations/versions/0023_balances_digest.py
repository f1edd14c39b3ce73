"""`ledger verify --since` sees every balance: the clean run records the balances' digest

- `verify_runs.digest`: a multiset hash (MuHash, modulo 2**3072 - 1103717, written in
  hexadecimal) of every personal account's and wallet's balance that is not 0, as the clean
  run found them (services/verify_digest.py). A `--since`
  run works out what the digest must be now from it and the postings since, so a balance
  changed behind the ledger's back shows even where the changes cancel out in the total.
  Runs recorded before this migration have none; `--since` then asks for a full run first.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN: no table rebuild on SQLite, so verify_runs keeps its append-only triggers
    op.add_column("verify_runs", sa.Column("digest", sa.String(length=800), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE verify_runs DROP COLUMN digest")  # SQLite 3.35 and later: no rebuild either
