"""the national platform's records: the institution and the other funds on each claim, the
record's source beside it, and the platform's person numbers

- `claims.fixmedins_code` (older claims have none: NULL) and `claims.other_funds_pay` (what
  funds outside the basic scheme paid of the personal share; 0 for older claims). The
  personal split becomes accounts + other funds + cash.
- Five journal books for those funds (civil_servant_subsidy, supplementary_insurance,
  medical_assistance, other_funds, hospital_share).
- `claim_sources`: per claim posted from a platform record, what has no column in `claims`
  and the fields the ledger does not read, as received (JSON). `platform_persons`: the
  platform's 人员编号 of a person. Both append-only, like the rest of the history.

Changing a CHECK: PostgreSQL drops and adds the constraint (it checks the rows it holds).
SQLite cannot alter a constraint; its documented way for a change that leaves the stored
rows as they are is to edit the table's CREATE statement in sqlite_schema (writable_schema)
and step the schema version. Every row satisfies the new CHECKs (other_funds_pay is 0 and
no entry has a new book), which the migration asks the database before it edits.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_BOOKS = (
    "personal_account", "account_funding", "pooled_fund", "patient_cash", "provider", "contribution_collection",
    "major_illness_insurance", "large_expense_subsidy",
)  # fmt: skip
NEW_BOOKS = OLD_BOOKS + (
    "civil_servant_subsidy",
    "supplementary_insurance",
    "medical_assistance",
    "other_funds",
    "hospital_share",
)
OLD_SPLIT = "psn_part_amt = acct_pay + acct_mulaid_pay + psn_cash_pay"
NEW_SPLIT = "psn_part_amt = acct_pay + acct_mulaid_pay + other_funds_pay + psn_cash_pay AND other_funds_pay >= 0"
NEW_TABLES = {"platform_persons": "platform_psn_no", "claim_sources": "claim_id"}


def _in(values: tuple[str, ...]) -> str:
    return f"book IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("claims", sa.Column("fixmedins_code", sa.String(length=64), nullable=True))
    op.add_column("claims", sa.Column("other_funds_pay", sa.BigInteger(), nullable=False, server_default="0"))
    _change_check("journal_entries", "ck_journal_entries_book_known", _in(OLD_BOOKS), _in(NEW_BOOKS), postgres)
    _change_check("claims", "ck_claims_personal_split", OLD_SPLIT, NEW_SPLIT, postgres)
    op.create_table(
        "platform_persons",
        sa.Column("platform_psn_no", sa.String(length=40), nullable=False),
        sa.Column("psn_no", sa.String(length=18), nullable=False),
        sa.Column("setl_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["psn_no"], ["persons.psn_no"], name=op.f("fk_platform_persons_psn_no_persons")),
        sa.PrimaryKeyConstraint("platform_psn_no", name=op.f("pk_platform_persons")),
    )
    op.create_index(op.f("ix_platform_persons_psn_no"), "platform_persons", ["psn_no"], unique=False)
    op.create_table(
        "claim_sources",
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("mdtrt_id", sa.String(length=64), nullable=True),
        sa.Column("platform_psn_no", sa.String(length=40), nullable=True),
        sa.Column("fixmedins_name", sa.String(length=200), nullable=True),
        sa.Column("setl_time", sa.DateTime(), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=True),
        sa.Column("enddate", sa.Date(), nullable=True),
        *(sa.Column(f, sa.BigInteger(), nullable=False) for f in ("cvlserv_pay", "hifes_pay", "maf_pay", "oth_pay")),
        sa.Column("hosp_part_amt", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_sources_claim_id_claims")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_sources")),
    )
    for t, key in NEW_TABLES.items():
        if postgres:  # the functions of 0001 and 0012
            op.execute(
                f"CREATE TRIGGER trg_{t}_append_only BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER trg_{t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
            )
            continue
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_{t}_no_{action.lower()} BEFORE {action} ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
            )
        op.execute(  # as 0010: an INSERT OR REPLACE would delete the row it meets
            f"CREATE TRIGGER trg_{t}_no_replace BEFORE INSERT ON {t} WHEN EXISTS (SELECT 1 FROM {t} WHERE {key} = NEW.{key}) "
            f"BEGIN SELECT RAISE(ABORT, '{t} is append-only: a row with these keys exists'); END"
        )


def _change_check(table: str, name: str, old: str, new: str, postgres: bool) -> None:
    bind = op.get_bind()
    if postgres:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} CHECK ({new})")
        return
    broken = bind.execute(sa.text(f"SELECT count(*) FROM {table} WHERE NOT ({new})")).scalar_one()
    if broken:
        raise RuntimeError(f"{broken} rows of {table} would not satisfy {name}: {new}")
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one()
    was = f"CONSTRAINT {name} CHECK ({old})"
    if sql.count(was) != 1:
        raise RuntimeError(f"{table}: its CREATE statement does not hold {was} once")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {"sql": sql.replace(was, f"CONSTRAINT {name} CHECK ({new})"), "t": table},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {version + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for t in NEW_TABLES:
        op.drop_table(t)  # its triggers go with it
    _change_check("claims", "ck_claims_personal_split", NEW_SPLIT, OLD_SPLIT, postgres)
    _change_check("journal_entries", "ck_journal_entries_book_known", _in(NEW_BOOKS), _in(OLD_BOOKS), postgres)
    for column in ("other_funds_pay", "fixmedins_code"):
        # Plain DROP COLUMN (SQLite 3.35 and later): no rebuild, so the claims' triggers stay.
        op.execute(f"ALTER TABLE claims DROP COLUMN {column}")
