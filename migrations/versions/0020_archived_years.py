"""Archiving old years (`ledger db archive`; docs/scale.md, "Archiving old years")

- `archived_years`: each year archived, with what left the live tables and what its
  postings were (they stay), and `archived_balances`: what each account's entries of the
  year added up to, and `archived_books`: each book's. Append-only.
- PostgreSQL: the schema `ledger_archive`, where a year's detached partitions and its
  reversals and platform sources go (made here where the login may create schemas, else by
  `ledger db roles`); `ledger_add_year` refuses a year that is archived (so a
  write dated in it fails instead of making it new, empty partitions), with SQLSTATE LA001;
  the registry of settlement ids keeps an archived claim's `setl_id` and day without the
  claim (`claim_id` NULL), so the id stays taken.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("archived_years", "archived_balances", "archived_books")

# 0019's function, with the refusal of an archived year where {archived} stands.
ADD_YEAR = """
CREATE OR REPLACE FUNCTION ledger_add_year(year integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t text;
    part text;
    made integer := 0;
BEGIN
    IF year < 1900 OR year > 9998 THEN
        RAISE EXCEPTION 'ledger_add_year: % is not a year the ledger keeps', year USING ERRCODE = '22023';
    END IF;{archived}
    -- one maker at a time: two writers meeting the same new year make it once
    PERFORM pg_advisory_xact_lock(hashtext('ledger_add_year'));
    FOREACH t IN ARRAY ARRAY['journal_postings', 'journal_entries', 'claims', 'claim_mulaid_payments'] LOOP
        part := t || '_' || year;
        IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                           part, t, make_date(year, 1, 1), make_date(year + 1, 1, 1));
            -- row triggers come from the parent; a TRUNCATE of the partition itself does not
            EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                           'EXECUTE FUNCTION ledger_refuse_truncate()', 'trg_' || part || '_no_truncate', part);
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END
$$
"""
REFUSE_ARCHIVED = """
    -- an archived year takes nothing new: its partitions are not made again, empty
    IF year <= (SELECT max(a.year) FROM archived_years a) THEN
        RAISE EXCEPTION 'ledger_add_year: % is archived', year USING ERRCODE = 'LA001';
    END IF;"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "archived_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("postings", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.Column("mutual_aid", sa.BigInteger(), nullable=False),
        sa.Column("reversals", sa.BigInteger(), nullable=False),
        sa.Column("sources", sa.BigInteger(), nullable=False),
        sa.Column("moved", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_archived_years")),
    )
    op.create_table(
        "archived_balances",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_archived_balances_account_id_accounts")),
        sa.ForeignKeyConstraint(
            ["year"], ["archived_years.year"], name=op.f("fk_archived_balances_year_archived_years")
        ),
        sa.PrimaryKeyConstraint("year", "account_id", name=op.f("pk_archived_balances")),
    )
    op.create_table(
        "archived_books",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("book", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["year"], ["archived_years.year"], name=op.f("fk_archived_books_year_archived_years")),
        sa.PrimaryKeyConstraint("year", "book", name=op.f("pk_archived_books")),
    )
    for table in TABLES:
        _append_only(table, postgres)
    if postgres:
        # where the login may create schemas; else `ledger db roles` makes it, for the owner
        op.execute(
            "DO $$ BEGIN IF has_database_privilege(current_database(), 'CREATE') THEN "
            "CREATE SCHEMA IF NOT EXISTS ledger_archive; END IF; END $$"
        )
        op.execute("ALTER TABLE claim_setl_ids ALTER COLUMN claim_id DROP NOT NULL")
        op.execute(ADD_YEAR.format(archived=REFUSE_ARCHIVED))


def _append_only(table: str, postgres: bool) -> None:
    if postgres:  # the functions of 0001 and 0012
        op.execute(
            f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM archived_years")).scalar():
        raise RuntimeError(
            "0020 cannot be undone on a ledger with archived years: their rows are in ledger_archive, not in the "
            "tables 0019 knows"
        )
    if bind.dialect.name == "postgresql":
        op.execute(ADD_YEAR.format(archived=""))
        op.execute("ALTER TABLE claim_setl_ids ALTER COLUMN claim_id SET NOT NULL")
        op.execute("DROP SCHEMA IF EXISTS ledger_archive")  # refused if anything is left in it
    op.drop_table("archived_books")
    op.drop_table("archived_balances")
    op.drop_table("archived_years")
