"""The health-insurance wallet (医保钱包; docs/wallet.md)

- `wallets`: a person's wallet, beside their personal account: its balance is a cache of
  the journal's `wallet` book entries of that person, as an account's is of its entries.
- `wallet_transfers`: each transfer from a holder's personal account to a near relative's
  wallet, with the local instant and day it was made (the daily count and the quiet hours
  are judged on them). Append-only.
- `claims.wallet_pay` (0 for older claims): what the patient's wallet paid of the personal
  share, which now splits into accounts + wallet + other funds + cash; the reports' running
  sums (`claim_totals`) keep it too.
- `archived_wallets`: what each wallet's entries of an archived year added up to (as
  `archived_balances` for the accounts).
- The journal book `wallet`, whose entries name their owner, indexed by owner.

A CHECK changes as migration 0014 changes one: PostgreSQL drops and adds it; SQLite's
CREATE statement is edited (writable_schema) after the database is asked whether every
row satisfies the new one (no entry has the new book; `wallet_pay` is 0 everywhere).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_BOOKS = (
    "personal_account", "account_funding", "pooled_fund", "patient_cash", "provider", "contribution_collection",
    "major_illness_insurance", "large_expense_subsidy", "civil_servant_subsidy", "supplementary_insurance",
    "medical_assistance", "other_funds", "hospital_share",
)  # fmt: skip
NEW_BOOKS = (*OLD_BOOKS, "wallet")
OLD_SPLIT = "psn_part_amt = acct_pay + acct_mulaid_pay + other_funds_pay + psn_cash_pay AND other_funds_pay >= 0"
NEW_SPLIT = (
    "psn_part_amt = acct_pay + wallet_pay + acct_mulaid_pay + other_funds_pay + psn_cash_pay "
    "AND other_funds_pay >= 0 AND wallet_pay >= 0"
)
WALLET_ENTRY = "book <> 'wallet' OR psn_no IS NOT NULL"
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _in(values: tuple[str, ...]) -> str:
    return f"book IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "wallets",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("psn_no", sa.String(length=18), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_wallets_balance_not_negative")),
        sa.ForeignKeyConstraint(["psn_no"], ["persons.psn_no"], name=op.f("fk_wallets_psn_no_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallets")),
        sa.UniqueConstraint("psn_no", name=op.f("uq_wallets_psn_no")),
    )
    op.create_table(
        "wallet_transfers",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("holder_psn_no", sa.String(length=18), nullable=False),
        sa.Column("member_psn_no", sa.String(length=18), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("binding_id", ID, nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("posting_id", ID, nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wallet_transfers_amount_positive")),
        sa.CheckConstraint("holder_psn_no <> member_psn_no", name=op.f("ck_wallet_transfers_not_self")),
        sa.ForeignKeyConstraint(
            ["holder_psn_no"], ["persons.psn_no"], name=op.f("fk_wallet_transfers_holder_psn_no_persons")
        ),
        sa.ForeignKeyConstraint(
            ["member_psn_no"], ["persons.psn_no"], name=op.f("fk_wallet_transfers_member_psn_no_persons")
        ),
        sa.ForeignKeyConstraint(
            ["binding_id"], ["family_bindings.id"], name=op.f("fk_wallet_transfers_binding_id_family_bindings")
        ),
        *(
            ()
            if postgres  # below: to the partitioned postings by (id, date), as migration 0019's keys
            else (
                sa.ForeignKeyConstraint(
                    ["posting_id"],
                    ["journal_postings.id"],
                    name=op.f("fk_wallet_transfers_posting_id_journal_postings"),
                ),
            )
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_transfers")),
    )
    if postgres:
        op.execute(
            "ALTER TABLE wallet_transfers ADD CONSTRAINT fk_wallet_transfers_posting_id_journal_postings "
            "FOREIGN KEY (posting_id, local_day) REFERENCES journal_postings (id, effective_date)"
        )
    op.create_index(
        op.f("ix_wallet_transfers_holder_psn_no_local_day"), "wallet_transfers", ["holder_psn_no", "local_day"]
    )
    op.create_index(op.f("ix_wallet_transfers_member_psn_no"), "wallet_transfers", ["member_psn_no"])
    op.create_index(op.f("ix_wallet_transfers_posting_id"), "wallet_transfers", ["posting_id"])
    op.create_table(
        "archived_wallets",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("psn_no", sa.String(length=18), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"], ["archived_years.year"], name=op.f("fk_archived_wallets_year_archived_years")
        ),
        sa.ForeignKeyConstraint(["psn_no"], ["persons.psn_no"], name=op.f("fk_archived_wallets_psn_no_persons")),
        sa.PrimaryKeyConstraint("year", "psn_no", name=op.f("pk_archived_wallets")),
    )
    op.add_column("claims", sa.Column("wallet_pay", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("claim_totals", sa.Column("wallet_pay", sa.BigInteger(), nullable=False, server_default="0"))
    _change_check("journal_entries", "ck_journal_entries_book_known", _in(OLD_BOOKS), _in(NEW_BOOKS), postgres)
    _change_check("claims", "ck_claims_personal_split", OLD_SPLIT, NEW_SPLIT, postgres)
    _add_check("journal_entries", "ck_journal_entries_wallet_names_owner", WALLET_ENTRY, postgres)
    op.create_index(
        "ix_journal_entries_wallet_psn_no",
        "journal_entries",
        ["psn_no"],
        postgresql_where=sa.text("book = 'wallet'"),
        sqlite_where=sa.text("book = 'wallet'"),
    )
    for t, key in (("wallet_transfers", "id"), ("archived_wallets", "year, psn_no")):
        _append_only(t, key, postgres)


def _append_only(t: str, key: str, postgres: bool) -> None:
    """As migration 0014's: rows are never changed or deleted (the functions of 0001 and 0012)."""
    if postgres:
        op.execute(
            f"CREATE TRIGGER trg_{t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER trg_{t}_no_truncate BEFORE TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER trg_{t}_no_{action.lower()} BEFORE {action} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
        )
    match = " AND ".join(f"{k} = NEW.{k}" for k in key.split(", "))
    op.execute(  # an INSERT OR REPLACE would delete the row it meets
        f"CREATE TRIGGER trg_{t}_no_replace BEFORE INSERT ON {t} WHEN EXISTS (SELECT 1 FROM {t} WHERE {match}) "
        f"BEGIN SELECT RAISE(ABORT, '{t} is append-only: a row with these keys exists'); END"
    )


def _add_check(table: str, name: str, check: str, postgres: bool) -> None:
    """A new CHECK: on SQLite, written into the table's CREATE statement as _change_check does."""
    if postgres:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})")
        return
    _edit_sqlite_table(
        table, check, lambda sql: sql.rstrip().removesuffix(")") + f", CONSTRAINT {name} CHECK ({check}))"
    )


def _change_check(table: str, name: str, old: str, new: str, postgres: bool) -> None:
    if postgres:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} CHECK ({new})")
        return
    was = f"CONSTRAINT {name} CHECK ({old})"

    def edit(sql: str) -> str:
        if sql.count(was) != 1:
            raise RuntimeError(f"{table}: its CREATE statement does not hold {was} once")
        return sql.replace(was, f"CONSTRAINT {name} CHECK ({new})")

    _edit_sqlite_table(table, new, edit)


def _edit_sqlite_table(table: str, check: str, edit) -> None:
    """SQLite's documented way to change a table's constraints that the stored rows already
    meet: edit its CREATE statement in sqlite_schema and step the schema version."""
    bind = op.get_bind()
    broken = bind.execute(sa.text(f"SELECT count(*) FROM {table} WHERE NOT ({check})")).scalar_one()
    if broken:
        raise RuntimeError(f"{broken} rows of {table} would not satisfy: {check}")
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one()
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {"sql": edit(sql), "t": table},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {version + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def _drop_check(table: str, name: str, check: str, postgres: bool) -> None:
    if postgres:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        return
    _edit_sqlite_table(table, "1 = 1", lambda sql: sql.replace(f", CONSTRAINT {name} CHECK ({check})", ""))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if op.get_bind().execute(sa.text("SELECT count(*) FROM journal_entries WHERE book = 'wallet'")).scalar_one():
        raise RuntimeError("the journal holds wallet entries: a ledger with wallets cannot go back before 0021")
    op.drop_index("ix_journal_entries_wallet_psn_no", table_name="journal_entries")
    _drop_check("journal_entries", "ck_journal_entries_wallet_names_owner", WALLET_ENTRY, postgres)
    _change_check("claims", "ck_claims_personal_split", NEW_SPLIT, OLD_SPLIT, postgres)
    _change_check("journal_entries", "ck_journal_entries_book_known", _in(NEW_BOOKS), _in(OLD_BOOKS), postgres)
    for table in ("claims", "claim_totals"):
        # Plain DROP COLUMN (SQLite 3.35 and later): no rebuild, so the claims' triggers stay.
        op.execute(f"ALTER TABLE {table} DROP COLUMN wallet_pay")
    for t in ("archived_wallets", "wallet_transfers", "wallets"):
        op.drop_table(t)  # its triggers go with it
