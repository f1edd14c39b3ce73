"""the reports' running sums: `claim_totals` (the unreversed claims' count and sums by
service day, kind of claim and kind of patient) and `claim_people` (the days on which a
person had an unreversed claim, over all their claims and by kind), filled here from the
claims already posted and kept from now on by the transaction that posts or reverses one

The fill is one grouped INSERT per table; at 10,000,000 claims on PostgreSQL it takes a few
minutes (docs/reports.md). The statements are written out here, not taken from the
package, so this revision does the same thing whatever later code says.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = (
    "medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "hifmi_pay", "hifob_pay", "other_funds_pay", "acct_pay",
    "acct_mulaid_pay", "psn_cash_pay",
)  # fmt: skip
# The kind of claim, then of patient: (name, length) of each key column.
KIND = (("med_type", 6), ("hosp_lv", 1), ("fixmedins_code", 64))
PATIENT = (("region", 6), ("insutype", 3), ("psn_type", 4))


def _columns(named: tuple) -> list[sa.Column]:
    return [sa.Column(name, sa.String(length=n), nullable=False) for name, n in named]


MONTHS = tuple(f"m{k}" for k in range(1, 13))  # m1: the days of January with a claim, bit d-1 for day d
# claim_people's scopes: the kind columns each keeps ('' in the others)
SCOPES = {
    0: (),
    1: ("med_type", "hosp_lv", "fixmedins_code"),
    2: ("med_type",),
    3: ("hosp_lv",),
    4: ("fixmedins_code",),
    5: ("med_type", "hosp_lv"),
    6: ("med_type", "fixmedins_code"),
    7: ("hosp_lv", "fixmedins_code"),
}
UNREVERSED = (
    "FROM claims c JOIN persons p ON p.psn_no = c.psn_no"
    " WHERE NOT EXISTS (SELECT 1 FROM claim_reversals r WHERE r.claim_id = c.id)"
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "claim_totals",
        sa.Column("service_date", sa.Date(), nullable=False),
        *_columns(KIND),
        *_columns(PATIENT),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        *(sa.Column(f, sa.BigInteger(), nullable=False) for f in FIGURES),
        sa.PrimaryKeyConstraint(
            "service_date",
            "med_type",
            "hosp_lv",
            "fixmedins_code",
            "region",
            "insutype",
            "psn_type",
            "slot",
            name=op.f("pk_claim_totals"),
        ),  # fmt: skip
    )
    op.create_table(
        "claim_people",
        sa.Column("psn_no", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.SmallInteger(), nullable=False),
        *_columns(KIND),
        *_columns(PATIENT),
        *(sa.Column(m, sa.Integer(), nullable=False) for m in MONTHS),
        sa.CheckConstraint("scope BETWEEN 0 AND 7", name=op.f("ck_claim_people_scope_known")),
        sa.PrimaryKeyConstraint(
            "psn_no", "year", "scope", "med_type", "hosp_lv", "fixmedins_code", name=op.f("pk_claim_people")
        ),
    )
    figures = ", ".join(FIGURES)
    sums = ", ".join(f"sum(c.{f})" for f in FIGURES)
    op.execute(
        f"INSERT INTO claim_totals (service_date, med_type, hosp_lv, fixmedins_code, region, insutype, psn_type, slot,"
        f" claims, {figures}) SELECT c.service_date, c.med_type, coalesce(c.hosp_lv, ''), coalesce(c.fixmedins_code, ''),"
        f" p.region, p.insutype, coalesce(p.psn_type, ''), 0, count(*), {sums} {UNREVERSED}"
        " GROUP BY c.service_date, c.med_type, coalesce(c.hosp_lv, ''), coalesce(c.fixmedins_code, ''), p.region,"
        " p.insutype, coalesce(p.psn_type, '')"
    )
    if postgres:
        part = {k: f"CAST(extract({k} FROM c.service_date) AS integer)" for k in ("year", "month", "day")}
    else:
        part = {
            k: f"CAST(strftime('{f}', c.service_date) AS integer)"
            for k, f in (("year", "%Y"), ("month", "%m"), ("day", "%d"))
        }
    # Each person's days with an unreversed claim, by kind, once; then each scope's rows
    # from them, a day's bit summed once into its month (the bits OR-ed).
    op.execute(
        "CREATE TEMPORARY TABLE claim_days AS SELECT DISTINCT c.psn_no, "
        f"{part['year']} AS year, {part['month']} AS month, 1 << ({part['day']} - 1) AS bit, c.med_type,"
        " coalesce(c.hosp_lv, '') AS hosp_lv, coalesce(c.fixmedins_code, '') AS fixmedins_code, p.region,"
        f" p.insutype, coalesce(p.psn_type, '') AS psn_type {UNREVERSED}"
    )
    months = ", ".join(f"coalesce(sum(CASE WHEN month = {k} THEN bit END), 0)" for k in range(1, 13))
    for scope, kept in SCOPES.items():
        kind = ", ".join(k if k in kept else f"'' AS {k}" for k, _ in KIND)
        op.execute(
            f"INSERT INTO claim_people (psn_no, year, scope, med_type, hosp_lv, fixmedins_code, region, insutype,"
            f" psn_type, {', '.join(MONTHS)}) SELECT psn_no, year, {scope}, med_type, hosp_lv, fixmedins_code, region,"
            f" insutype, psn_type, {months} FROM (SELECT DISTINCT psn_no, year, {kind}, region, insutype, psn_type,"
            " month, bit FROM claim_days) AS d"
            " GROUP BY psn_no, year, med_type, hosp_lv, fixmedins_code, region, insutype, psn_type"
        )
    op.execute("DROP TABLE claim_days")


def downgrade() -> None:
    op.drop_table("claim_people")
    op.drop_table("claim_totals")
