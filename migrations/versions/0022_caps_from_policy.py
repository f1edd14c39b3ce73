"""A counter's cap is the policy's: the day it opened, and incentives raise it in the database

- `benefit_usage.opened_on`: the day whose policy files gave the counter its cap (the
  service date of the claim that opened it, or 1 January for one the rollover opened), so
  `ledger verify` can work the cap out again from the files and name a counter whose cap
  differs. An existing counter takes the service date of the claim posted first against
  it where that claim came before the rollover into its year had finished, else
  1 January of its year (the rollover opened it).
- A major-illness incentive raises the counter it is for as it is recorded: a trigger on
  `major_illness_incentives` adds the bonus to that year's `major_illness` counter where a
  claim opened it first. The rollover no longer updates caps itself, so the writer role
  loses UPDATE on `benefit_usage.cap` (db/roles.py): a clerk's login cannot raise a cap. On
  PostgreSQL the trigger's function runs as its owner (SECURITY DEFINER); incentives are
  append-only and one per person and year, so a cap is raised once.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The claim posted first against a counter (its lowest id: posting order, not service date).
FIRST_POSTED = (
    "(SELECT MIN(c.id) FROM claims c WHERE c.psn_no = benefit_usage.psn_no AND c.year = benefit_usage.year "
    "AND benefit_usage.bucket IN (c.bucket, c.layer_bucket, c.combined_bucket))"
)
# Its service date, where it came before the rollover into the year had finished (so it
# opened the counter); otherwise the rollover opened it, on 1 January.
OPENED_BY_CLAIM = (
    f"(SELECT c.service_date FROM claims c WHERE c.id = {FIRST_POSTED} AND NOT EXISTS ("
    "SELECT 1 FROM rollovers r WHERE r.year = benefit_usage.year - 1 AND r.finished_at IS NOT NULL "
    "AND r.finished_at < c.created_at))"
)
RAISE = (
    "UPDATE benefit_usage SET cap = benefit_usage.cap + i.bonus FROM {source} i "
    "WHERE benefit_usage.psn_no = i.psn_no AND benefit_usage.year = i.year "
    "AND benefit_usage.bucket = 'major_illness' AND i.bonus > 0"
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("benefit_usage") as batch:
        batch.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
    january = "make_date(year, 1, 1)" if postgres else "printf('%04d-01-01', year)"
    op.execute(f"UPDATE benefit_usage SET opened_on = COALESCE({OPENED_BY_CLAIM}, {january})")
    with op.batch_alter_table("benefit_usage") as batch:
        batch.alter_column("opened_on", existing_type=sa.Date(), nullable=False)
    if postgres:
        op.execute(
            "CREATE FUNCTION ledger_raise_cap() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            f"SET search_path FROM CURRENT AS $$ BEGIN {RAISE.format(source='raised')}; RETURN NULL; END $$"
        )
        op.execute("REVOKE ALL ON FUNCTION ledger_raise_cap() FROM PUBLIC")
        op.execute(
            "CREATE TRIGGER trg_major_illness_incentives_raise_cap AFTER INSERT ON major_illness_incentives "
            "REFERENCING NEW TABLE AS raised FOR EACH STATEMENT EXECUTE FUNCTION ledger_raise_cap()"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_major_illness_incentives_raise_cap AFTER INSERT ON major_illness_incentives "
            "WHEN NEW.bonus > 0 BEGIN UPDATE benefit_usage SET cap = cap + NEW.bonus "
            "WHERE psn_no = NEW.psn_no AND year = NEW.year AND bucket = 'major_illness'; END"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "DROP TRIGGER trg_major_illness_incentives_raise_cap" + (" ON major_illness_incentives" if postgres else "")
    )
    if postgres:
        op.execute("DROP FUNCTION ledger_raise_cap()")
    with op.batch_alter_table("benefit_usage") as batch:
        batch.drop_column("opened_on")
