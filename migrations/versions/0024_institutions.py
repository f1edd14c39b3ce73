"""The world a claim happens in: designated institutions and off-site registrations

- `institutions`: the designated-institution registry (定点医药机构), one row per dated
  state of an institution (its type, grade, deductible level, region, designation's end).
  A claim that gives no level takes its institution's on the service date.
- `offsite_registrations`: persons' off-site registrations (异地就医备案), dated, by kind.
- `claim_sources.mdtrtarea_admvs` and `claim_sources.offsite`: where a platform record's
  care was given, and the off-site kind its claim was adjudicated under (None: local); and
  an index on `claim_sources.mdtrt_id`, by which a cancellation finds its claim.

Both new tables are history: append-only, as migration 0021's.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GRADES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11")
TYPES = ("hospital", "primary", "pharmacy")
KINDS = ("long_term", "temporary", "referral", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "institutions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("fixmedins_name", sa.String(length=200), nullable=False),
        sa.Column("fixmedins_type", sa.String(length=16), nullable=False),
        sa.Column("hosp_lv", sa.String(length=2), nullable=True),
        sa.Column("dedc_hosp_lv", sa.String(length=1), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("fixmedins_type", TYPES), name=op.f("ck_institutions_type_known")),
        sa.CheckConstraint(f"hosp_lv IS NULL OR {_in('hosp_lv', GRADES)}", name=op.f("ck_institutions_grade_known")),
        sa.CheckConstraint(
            f"dedc_hosp_lv IS NULL OR {_in('dedc_hosp_lv', ('1', '2', '3'))}", name=op.f("ck_institutions_level_known")
        ),
        sa.CheckConstraint("enddate IS NULL OR enddate >= begndate", name=op.f("ck_institutions_dates_in_order")),
        sa.CheckConstraint("region IS NULL OR length(region) = 6", name=op.f("ck_institutions_region_code")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
    )
    op.create_index(op.f("ix_institutions_fixmedins_code_begndate"), "institutions", ["fixmedins_code", "begndate"])
    op.create_table(
        "offsite_registrations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("psn_no", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("area", sa.String(length=6), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_offsite_registrations_kind_known")),
        sa.CheckConstraint(
            "enddate IS NULL OR enddate >= begndate", name=op.f("ck_offsite_registrations_dates_in_order")
        ),
        sa.CheckConstraint("area IS NULL OR length(area) = 6", name=op.f("ck_offsite_registrations_area_code")),
        sa.ForeignKeyConstraint(["psn_no"], ["persons.psn_no"], name=op.f("fk_offsite_registrations_psn_no_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offsite_registrations")),
    )
    op.create_index(op.f("ix_offsite_registrations_psn_no_begndate"), "offsite_registrations", ["psn_no", "begndate"])
    # ADD COLUMN: no table rebuild on SQLite, so claim_sources keeps its append-only triggers
    op.add_column("claim_sources", sa.Column("mdtrtarea_admvs", sa.String(length=6), nullable=True))
    op.add_column("claim_sources", sa.Column("offsite", sa.String(length=16), nullable=True))
    # a cancellation that names no settlement finds its claim by the visit
    op.create_index(op.f("ix_claim_sources_mdtrt_id"), "claim_sources", ["mdtrt_id"])
    for t in ("institutions", "offsite_registrations"):
        _append_only(t, postgres)


def _append_only(t: str, postgres: bool) -> None:
    """As migration 0021's: rows are never changed or deleted (the functions of 0001 and 0012)."""
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
    op.execute(  # an INSERT OR REPLACE would delete the row it meets
        f"CREATE TRIGGER trg_{t}_no_replace BEFORE INSERT ON {t} WHEN EXISTS (SELECT 1 FROM {t} WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{t} is append-only: a row with these keys exists'); END"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_sources_mdtrt_id"), table_name="claim_sources")
    op.execute("ALTER TABLE claim_sources DROP COLUMN offsite")
    op.execute("ALTER TABLE claim_sources DROP COLUMN mdtrtarea_admvs")
    op.drop_table("offsite_registrations")
    op.drop_table("institutions")
