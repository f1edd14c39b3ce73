"""PostgreSQL keeps the journal and the claims in a partition per year

The journal's postings and entries are partitioned by the posting's effective date, the
claims and their mutual-aid payments by the claim's service date: a table per year
(`claims_2026`), so a province's years of history stay quick to write and to read, and an
old year can be detached for archive (docs/scale.md). SQLite keeps single tables.

Each row that refers to a partitioned row carries that row's date too, because PostgreSQL
keys a partitioned table by its partition column as well: entries hold their posting's
`effective_date`; mutual-aid payments, reversals and sources their claim's `service_date`;
monthly credits and year-end deductions their posting's date (`posted_on`; a contribution
payment's `paid_on` already is). Both backends get the columns, filled here from the rows
they refer to, so the models stay one.

On PostgreSQL the four tables are built anew as partitioned tables and the rows copied in:
their primary keys become (id, date), the foreign keys to them (id, date), and `setl_id`,
which a partitioned table can only keep unique within a year, is kept unique across years
by a registry (`claim_setl_ids`) that every inserted claim enters. `ledger_add_year(year)`
makes a year's partitions, with the triggers a partition does not inherit; it runs here for
every year with rows and for this year and the next, then from `ledger db upgrade`, the
rollover, and a write that meets a year without partitions (ledger/db/partitions.py).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The new columns: (table, column, NOT NULL, the value each existing row takes).
COLUMNS = [
    (
        "journal_entries",
        "effective_date",
        True,
        "SELECT p.effective_date FROM journal_postings p WHERE p.id = journal_entries.posting_id",
    ),
    (
        "claim_mulaid_payments",
        "service_date",
        True,
        "SELECT c.service_date FROM claims c WHERE c.id = claim_mulaid_payments.claim_id",
    ),
    (
        "claim_reversals",
        "service_date",
        True,
        "SELECT c.service_date FROM claims c WHERE c.id = claim_reversals.claim_id",
    ),
    ("claim_sources", "service_date", True, "SELECT c.service_date FROM claims c WHERE c.id = claim_sources.claim_id"),
    (
        "monthly_credits",
        "posted_on",
        True,
        "SELECT p.effective_date FROM journal_postings p WHERE p.id = monthly_credits.posting_id",
    ),
    (
        "year_end_deductions",
        "posted_on",
        False,
        "SELECT p.effective_date FROM journal_postings p WHERE p.id = year_end_deductions.posting_id",
    ),
]

# The partitioned tables, parents first, and the column each is partitioned by.
PARTITIONED = {
    "journal_postings": "effective_date",
    "journal_entries": "effective_date",
    "claims": "service_date",
    "claim_mulaid_payments": "service_date",
}

# Every foreign key to a partitioned table: (table, columns, referred table, name).
FOREIGN_KEYS = [
    ("journal_entries", ("posting_id", "effective_date"), "journal_postings"),
    ("claims", ("posting_id", "service_date"), "journal_postings"),
    ("contribution_payments", ("posting_id", "paid_on"), "journal_postings"),
    ("claim_reversals", ("posting_id", "reversed_on"), "journal_postings"),
    ("monthly_credits", ("posting_id", "posted_on"), "journal_postings"),
    ("year_end_deductions", ("posting_id", "posted_on"), "journal_postings"),
    ("claim_mulaid_payments", ("claim_id", "service_date"), "claims"),
    ("claim_reversals", ("claim_id", "service_date"), "claims"),
    ("claim_sources", ("claim_id", "service_date"), "claims"),
]
# The single-column foreign keys they replace: (table, column, referred table).
OLD_FOREIGN_KEYS = [
    ("journal_entries", "posting_id", "journal_postings"),
    ("claims", "posting_id", "journal_postings"),
    ("contribution_payments", "posting_id", "journal_postings"),
    ("claim_reversals", "posting_id", "journal_postings"),
    ("monthly_credits", "posting_id", "journal_postings"),
    ("year_end_deductions", "posting_id", "journal_postings"),
    ("claim_mulaid_payments", "claim_id", "claims"),
    ("claim_reversals", "claim_id", "claims"),
    ("claim_sources", "claim_id", "claims"),
]
# Their other foreign keys, made again on the new tables.
FOREIGN_KEYS_KEPT = [
    ("journal_entries", "account_id", "accounts"),
    ("journal_entries", "psn_no", "persons"),
    ("claims", "psn_no", "persons"),
    ("claim_mulaid_payments", "payer_psn_no", "persons"),
    ("claim_mulaid_payments", "binding_id", "family_bindings"),
]

# Indexes of the partitioned tables, as they were (0003, 0007, 0018 and the models).
INDEXES = {
    "journal_entries": [
        ("ix_journal_entries_posting_id", "(posting_id)"),
        ("ix_journal_entries_account_id_posting_id", "(account_id, posting_id)"),
    ],
    "claims": [
        ("ix_claims_posting_id", "(posting_id)"),
        ("ix_claims_psn_no_year", "(psn_no, year)"),
        ("ix_claims_service_date", "(service_date)"),
        (
            "ix_claims_psn_no_service_date",
            "(psn_no, service_date) INCLUDE (id, med_type, fixmedins_code, medfee_sumamt)",
        ),
    ],
    "claim_mulaid_payments": [
        ("ix_claim_mulaid_payments_binding_id", "(binding_id)"),
        ("ix_claim_mulaid_payments_payer_psn_no", "(payer_psn_no)"),
    ],
}

ADD_YEAR = """
CREATE FUNCTION ledger_add_year(year integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t text;
    part text;
    made integer := 0;
BEGIN
    IF year < 1900 OR year > 9998 THEN
        RAISE EXCEPTION 'ledger_add_year: % is not a year the ledger keeps', year USING ERRCODE = '22023';
    END IF;
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

SETL_IDS = """
CREATE FUNCTION ledger_register_setl_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO claim_setl_ids (setl_id, claim_id, service_date) VALUES (NEW.setl_id, NEW.id, NEW.service_date);
    RETURN NULL;
END
$$
"""

# The refusals name the partitioned table, and the partition the row is in: each function
# (its name, what follows "is append-only" in its message) made from one template.
REFUSED = {"ledger_refuse_change": "", "ledger_refuse_truncate": ": TRUNCATE is refused"}
REFUSAL = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    root text := coalesce(pg_partition_root(TG_RELID)::text, TG_TABLE_NAME);
BEGIN
    IF root = TG_TABLE_NAME THEN
        RAISE EXCEPTION '% is append-only{tail}', TG_TABLE_NAME;
    END IF;
    RAISE EXCEPTION '% is append-only (partition %){tail}', root, TG_TABLE_NAME;
END
$$
"""
# as 0001 and 0012 made them, for the downgrade
REFUSAL_BEFORE = (
    "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION '% is append-only{tail}', TG_TABLE_NAME; END $$"
)

BALANCED = """
CREATE OR REPLACE FUNCTION ledger_posting_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    total numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount), 0) INTO n, total FROM journal_entries
        WHERE posting_id = NEW.id AND effective_date = NEW.effective_date;
    IF n = 0 OR total <> 0 THEN
        RAISE EXCEPTION 'journal posting % does not balance: % entries summing to %', NEW.id, n, total
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgresql(bind)
    else:
        for table, column, required, fill in COLUMNS:
            _sqlite_add(bind, table, column, required, fill)


def _sqlite_add(bind, table: str, column: str, required: bool, fill: str) -> None:
    """Add and fill the column; its table is rebuilt to make it NOT NULL, which drops the
    table's triggers, so they are kept aside and put back as they were."""
    triggers = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
    ).all()
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    op.add_column(table, sa.Column(column, sa.Date(), nullable=True))
    op.execute(f"UPDATE {table} SET {column} = ({fill})")
    if required:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column(column, existing_type=sa.Date(), nullable=False)
    for _name, sql in triggers:
        op.execute(sql)


def _postgresql(bind) -> None:
    for table, column, _required, _fill in COLUMNS:
        if table not in PARTITIONED:
            op.add_column(table, sa.Column(column, sa.Date(), nullable=True))
    # the backfill is the only update these rows ever take
    for table in ("claim_reversals", "claim_sources", "monthly_credits", "year_end_deductions"):
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    for table, column, required, fill in COLUMNS:
        if table not in PARTITIONED:
            op.execute(f"UPDATE {table} SET {column} = ({fill})")
            if required:
                op.alter_column(table, column, nullable=False)
    for table in ("claim_reversals", "claim_sources", "monthly_credits", "year_end_deductions"):
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    for table, column, referred in OLD_FOREIGN_KEYS:
        op.drop_constraint(f"fk_{table}_{column}_{referred}", table, type_="foreignkey")
    years = _years(bind)
    for table, column in PARTITIONED.items():
        _partitioned_copy(table, column)
    op.execute(ADD_YEAR)
    for year in years:
        op.execute(f"SELECT ledger_add_year({year})")
    _copy_rows()
    for table in PARTITIONED:
        op.execute(f"DROP TABLE {table}_unpartitioned")
        op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")

    for table, column in PARTITIONED.items():
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (id, {column})")
    op.execute(
        "ALTER TABLE claim_mulaid_payments ADD CONSTRAINT uq_claim_mulaid_payments_claim_id_seq "
        "UNIQUE (claim_id, seq, service_date)"
    )
    for table, indexes in INDEXES.items():
        for name, columns in indexes:
            op.execute(f"CREATE INDEX {name} ON {table} {columns}")
    for table, columns, referred in FOREIGN_KEYS:
        column, date_column = columns
        refers = "(id, effective_date)" if referred == "journal_postings" else "(id, service_date)"
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column}_{referred} "
            f"FOREIGN KEY ({column}, {date_column}) REFERENCES {referred} {refers}"
        )
    for table, column, referred in FOREIGN_KEYS_KEPT:
        key = "id" if referred in ("accounts", "family_bindings") else "psn_no"
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column}_{referred} "
            f"FOREIGN KEY ({column}) REFERENCES {referred} ({key})"
        )

    op.execute(
        "CREATE TABLE claim_setl_ids (setl_id varchar(64) NOT NULL, claim_id bigint NOT NULL, "
        "service_date date NOT NULL, CONSTRAINT uq_claims_setl_id PRIMARY KEY (setl_id), "
        "CONSTRAINT fk_claim_setl_ids_claim FOREIGN KEY (claim_id, service_date) REFERENCES claims (id, service_date))"
    )
    op.execute(
        "INSERT INTO claim_setl_ids (setl_id, claim_id, service_date) SELECT setl_id, id, service_date FROM claims"
    )
    op.execute("CREATE INDEX ix_claims_setl_id ON claims (setl_id)")
    op.execute(SETL_IDS)
    op.execute(
        "CREATE TRIGGER trg_claims_setl_id AFTER INSERT ON claims FOR EACH ROW EXECUTE FUNCTION ledger_register_setl_id()"
    )

    op.execute(BALANCED)
    op.execute(
        "CREATE CONSTRAINT TRIGGER trg_journal_postings_balanced AFTER INSERT ON journal_postings "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_balanced()"
    )
    for name, tail in REFUSED.items():
        op.execute(REFUSAL.format(name=name, tail=tail))
    _append_only((*PARTITIONED, "claim_setl_ids"))
    op.execute("REVOKE ALL ON FUNCTION ledger_add_year(integer) FROM PUBLIC")


def _append_only(tables) -> None:
    for table in tables:
        op.execute(
            f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
        )


def _years(bind) -> list[int]:
    """The years with rows, and this year and the next."""
    found = bind.execute(
        sa.text(
            "SELECT DISTINCT extract(year FROM effective_date)::int FROM journal_postings UNION "
            "SELECT DISTINCT extract(year FROM service_date)::int FROM claims"
        )
    ).scalars()
    today = date.today().year
    return sorted({*found, today, today + 1})


def _partitioned_copy(table: str, column: str) -> None:
    """The table set aside (its rows are copied after) and built again, empty, partitioned
    by `column`: the same columns, defaults (its id sequence) and CHECK constraints."""
    op.execute(f"ALTER TABLE {table} RENAME TO {table}_unpartitioned")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
    added = f", {column} date NOT NULL" if table in ("journal_entries", "claim_mulaid_payments") else ""
    op.execute(
        f"CREATE TABLE {table} (LIKE {table}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS{added}) "
        f"PARTITION BY RANGE ({column})"
    )


def _copy_rows() -> None:
    op.execute("INSERT INTO journal_postings SELECT * FROM journal_postings_unpartitioned")
    op.execute(
        "INSERT INTO journal_entries (id, posting_id, book, account_id, psn_no, amount, effective_date) "
        "SELECT e.id, e.posting_id, e.book, e.account_id, e.psn_no, e.amount, p.effective_date "
        "FROM journal_entries_unpartitioned e JOIN journal_postings_unpartitioned p ON p.id = e.posting_id"
    )
    op.execute("INSERT INTO claims SELECT * FROM claims_unpartitioned")
    op.execute(
        "INSERT INTO claim_mulaid_payments (id, claim_id, seq, payer_psn_no, binding_id, amount, service_date) "
        "SELECT m.id, m.claim_id, m.seq, m.payer_psn_no, m.binding_id, m.amount, c.service_date "
        "FROM claim_mulaid_payments_unpartitioned m JOIN claims_unpartitioned c ON c.id = m.claim_id"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _unpartition()
        for table, column, _required, _fill in COLUMNS:
            if table not in PARTITIONED:
                op.drop_column(table, column)
        return
    for table, column, _required, _fill in reversed(COLUMNS):
        triggers = bind.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
        ).all()
        for name, _sql in triggers:
            op.execute(f"DROP TRIGGER {name}")
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_column(column)
        for _name, sql in triggers:
            op.execute(sql)


def _unpartition() -> None:
    """The four tables single again, as 0018 left them, with every row."""
    op.execute("DROP TABLE claim_setl_ids")
    op.execute("DROP FUNCTION ledger_register_setl_id() CASCADE")
    for table, columns, referred in FOREIGN_KEYS:
        op.drop_constraint(f"fk_{table}_{columns[0]}_{referred}", table, type_="foreignkey")
    for table, column in PARTITIONED.items():
        op.execute(f"ALTER TABLE {table} RENAME TO {table}_partitioned")
        op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
        op.execute(f"CREATE TABLE {table} (LIKE {table}_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        if table in ("journal_entries", "claim_mulaid_payments"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        kept = ", ".join(c["name"] for c in sa.inspect(op.get_bind()).get_columns(table))
        op.execute(f"INSERT INTO {table} ({kept}) SELECT {kept} FROM {table}_partitioned")
    for table in PARTITIONED:
        op.execute(f"DROP TABLE {table}_partitioned CASCADE")
        op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (id)")
    op.execute("DROP FUNCTION ledger_add_year(integer)")
    op.execute("ALTER TABLE claims ADD CONSTRAINT uq_claims_setl_id UNIQUE (setl_id)")
    op.execute(
        "ALTER TABLE claim_mulaid_payments ADD CONSTRAINT uq_claim_mulaid_payments_claim_id_seq UNIQUE (claim_id, seq)"
    )
    for table, indexes in INDEXES.items():
        for name, columns in indexes:
            op.execute(f"CREATE INDEX {name} ON {table} {columns}")
    for table, column, referred in OLD_FOREIGN_KEYS + FOREIGN_KEYS_KEPT:
        key = {"accounts": "id", "family_bindings": "id", "persons": "psn_no"}.get(referred, "id")
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column}_{referred} "
            f"FOREIGN KEY ({column}) REFERENCES {referred} ({key})"
        )
    op.execute(BALANCED.replace(" AND effective_date = NEW.effective_date", ""))
    op.execute(
        "CREATE CONSTRAINT TRIGGER trg_journal_postings_balanced AFTER INSERT ON journal_postings "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_balanced()"
    )
    _append_only(PARTITIONED)
    for name, tail in REFUSED.items():
        op.execute(REFUSAL_BEFORE.format(name=name, tail=tail))
