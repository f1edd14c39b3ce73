"""智能监控 (`ledger monitor`): persons' dates of death, saved monitoring runs, their findings
and the reviewers' verdicts, all append-only; and the claims indexed by person and service
date, the window the frequency and stay rules read.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("person_deaths", "monitor_runs", "monitor_findings", "finding_reviews")


def upgrade() -> None:
    op.create_table(
        "person_deaths",
        sa.Column("id", ID, nullable=False),
        sa.Column("psn_no", sa.String(length=18), nullable=False),
        sa.Column("died_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["psn_no"], ["persons.psn_no"], name=op.f("fk_person_deaths_psn_no_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_deaths")),
        sa.UniqueConstraint("psn_no", name=op.f("uq_person_deaths_psn_no")),
    )
    op.create_table(
        "monitor_runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_runs")),
    )
    op.create_table(
        "monitor_findings",
        sa.Column("id", ID, nullable=False),
        sa.Column("jr_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", ID, nullable=False),
        sa.Column("rule_id", sa.String(length=8), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("patn_id", sa.String(length=18), nullable=False),
        sa.Column("psn_nos", sa.JSON(), nullable=False),
        sa.Column("setl_ids", sa.JSON(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_monitor_findings_amount_not_negative")),
        sa.CheckConstraint(
            "severity IN ('violation', 'high', 'suspect')", name=op.f("ck_monitor_findings_severity_known")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["monitor_runs.id"], name=op.f("fk_monitor_findings_run_id_monitor_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_findings")),
        sa.UniqueConstraint("jr_id", name=op.f("uq_monitor_findings_jr_id")),
    )
    op.create_table(
        "finding_reviews",
        sa.Column("id", ID, nullable=False),
        sa.Column("finding_id", ID, nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('confirmed', 'dismissed')", name=op.f("ck_finding_reviews_verdict_known")),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["monitor_findings.id"], name=op.f("fk_finding_reviews_finding_id_monitor_findings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_reviews")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:  # the functions of 0001 and 0012
            op.execute(
                f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
            )
            continue
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        op.execute(  # as 0010: an INSERT OR REPLACE would delete the row it meets
            f"CREATE TRIGGER trg_{table}_no_replace BEFORE INSERT ON {table} WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with these keys exists'); END"
        )
    op.create_index(op.f("ix_claims_psn_no_service_date"), "claims", ["psn_no", "service_date"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_claims_psn_no_service_date"), table_name="claims")
    for table in reversed(TABLES):
        op.drop_table(table)  # their triggers go with them
