"""`ledger db archive --through YEAR`: old years' claims and journal entries leave the live
tables on PostgreSQL (docs/scale.md, "Archiving old years").

A year's partitions of the claims, their mutual-aid payments and the journal entries are
detached and moved, with the year's reversals and platform sources, into the schema
`ledger_archive`, from where a bureau dumps them (`pg_dump -n ledger_archive`) and drops
them. What stays, so the books still add up and nothing archived can be written twice:

- the year's postings: each is a link of the hash chain, which `verify` walks through them
  by their stored hashes, and what the year's contributions, monthly credits and year-end
  deductions refer to (a posting is about a tenth of a claim's bytes);
- what each account's entries of the year added up to (`archived_balances`): a balance is
  its live entries plus these;
- the claims' settlement ids, in the registry without the claim, so an archived `setl_id`
  stays taken; the reports' running sums, so a report of an archived year still reads;
- the usage counters, enrollments and everything else about persons.

An archived year takes no new rows: `ledger_add_year` refuses it, so a write dated in it
fails with a clear message instead of making new, empty partitions. Years go oldest first:
`--through Y` archives every year up to Y not archived yet, all in one transaction.
"""

import hashlib
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from .. import clock
from ..db import partitions
from ..db.models import ArchivedBalance, ArchivedBook, ArchivedWallet, ArchivedYear, Posting
from ..db.retry import retried
from ..db.sql import sum_fen
from ..errors import Conflict, ValidationError
from ..i18n import _
from ..rules.money import Yuan
from ..uow import UnitOfWork
from .records import audit

SCHEMA = "ledger_archive"
# Detached, in this order: each refers to the ones after it, and leaves before them.
DETACHED = ("claim_mulaid_payments", "journal_entries", "claims")
# Rows about the year's claims in tables not partitioned: copied out, then deleted.
MOVED = ("claim_reversals", "claim_sources")
LOCKED = (*DETACHED, *MOVED, partitions.REGISTRY)
BATCH = 50_000  # postings read at a time for the digest


def through(s: Session) -> int | None:
    """The last archived year: every year up to it is archived. None: none is."""
    return s.scalar(select(func.max(ArchivedYear.year)))


def live_from(s: Session) -> date | None:
    """The first day whose rows are in the live tables, where a year is archived; else None."""
    year = through(s)
    return None if year is None else date(year + 1, 1, 1)


def require_live(s: Session, day: date, field: str, *, closing: bool = False) -> None:
    """Refuse what would start on `day` in an archived year: its claims and entries are
    gone, so whatever it added up would be short without saying so. `closing`: a balance
    at the end of `day`, which the archived years' sums give on their last day too."""
    live = live_from(s)
    if live is None:
        return
    earliest = live - timedelta(days=1) if closing else live
    if day < earliest:
        raise ValidationError(
            field,
            _("{day} is in an archived year (through {year}): give {earliest} or later").format(
                day=day, year=live.year - 1, earliest=earliest
            ),
        )


def book_sums():
    """book -> what its entries of the archived years added up to, as a subquery."""
    return _sums(ArchivedBook.book)


def archived_sums():
    """account id -> what its entries of the archived years added up to, as a subquery."""
    return _sums(ArchivedBalance.account_id)


def wallet_sums():
    """owner -> what their wallet's entries of the archived years added up to, as a subquery."""
    return _sums(ArchivedWallet.psn_no)


def _sums(key):
    """`key` -> the sum of the amounts of its archived years' rows (of `key`'s table)."""
    amount = key.class_.amount
    return select(key, sum_fen(amount).label("amount")).group_by(key).subquery()


@retried
def archive(uow: UnitOfWork, operator: str, year: int) -> dict:
    """Archive every year up to `year` not archived yet. Refused unless each is over and
    rolled over, a clean `ledger verify` has checked every posting of them, and no claim of
    them was reversed after them. Runs as the schema's owner (it detaches partitions and
    sets the history's triggers aside for its own deletions, in this transaction only);
    the ledger's other writes wait until it commits. Its table locks can meet a claim's
    halfway (a deadlock); the loser is run again from the top, as every writer is
    (db/retry.py)."""
    if uow.dialect != "postgresql":
        raise ValidationError(
            "--through",
            _(
                "archiving detaches PostgreSQL's partitions; an SQLite ledger keeps single tables (keep a copy of its file)"
            ),
        )
    this_year = clock.today().year
    if year >= this_year:
        raise ValidationError(
            "--through",
            _("{year} is not over: only years before {this_year} can be archived").format(
                year=year, this_year=this_year
            ),
        )
    with uow:
        s = uow.session
        if s.scalar(text("SELECT to_regnamespace(:n)"), {"n": SCHEMA}) is None:
            raise Conflict(
                _(
                    "there is no schema {schema} to archive into: run `ledger db roles` (or CREATE SCHEMA {schema}) "
                    "as a superuser first"
                ).format(schema=SCHEMA)
            )
        s.execute(text(f"LOCK TABLE {', '.join(LOCKED)} IN ACCESS EXCLUSIVE MODE"))
        done = through(s)
        years = [y for y in partitions.years(s.connection()) if y <= year and (done is None or y > done)]
        if not years:
            raise Conflict(
                _("nothing to archive through {year}: every year up to it is archived already").format(year=year)
            )
        _check(s, years)
        archived = [_archive_year(s, operator, y) for y in years]
        audit(s, operator=operator, action="db.archive", subject=str(year), years=[a["year"] for a in archived])
        uow.commit()
    return {"through": year, "schema": SCHEMA, "years": archived}


def _check(s: Session, years: list[int]) -> None:
    """Refuse before anything moves: a year not over or not rolled over, rows no clean
    verify has seen, or a later reversal of one of its claims."""
    end = date(years[-1] + 1, 1, 1)
    closed = set(s.scalars(text("SELECT year FROM rollovers WHERE finished_at IS NOT NULL")))
    for y in years:
        has_rows = s.scalar(text(f"SELECT EXISTS (SELECT 1 FROM journal_postings_{y})"))
        if has_rows and y not in closed:
            raise Conflict(
                _(
                    "{year} is not rolled over (ledger rollover --year {year}): a year is archived once it is closed"
                ).format(year=y)
            )
    last = s.scalar(text("SELECT max(id) FROM journal_postings WHERE effective_date < :end"), {"end": end})
    checked = s.scalar(text("SELECT max(journal_last_id) FROM verify_runs"))
    if last is not None and (checked is None or checked < last):
        raise Conflict(
            _(
                "run `ledger verify` first: no clean run has checked posting {id}, and a year's rows are checked "
                "before they leave"
            ).format(id=last)
        )
    later = s.execute(
        text(
            "SELECT c.setl_id, r.service_date, r.reversed_on FROM claim_reversals r "
            "JOIN claims c ON c.id = r.claim_id AND c.service_date = r.service_date "
            "WHERE r.service_date < :end AND r.reversed_on >= :end ORDER BY r.reversed_on LIMIT 1"
        ),
        {"end": end},
    ).first()
    if later is not None:
        raise Conflict(
            _(
                "claim {setl_id} of {day} was reversed on {reversed_on}: a claim leaves with its reversal, so "
                "archive through {reversed_year} to take both"
            ).format(
                setl_id=later.setl_id,
                day=later.service_date,
                reversed_on=later.reversed_on,
                reversed_year=later.reversed_on.year,
            )
        )


def _archive_year(s: Session, operator: str, y: int) -> dict:
    start, end = date(y, 1, 1), date(y + 1, 1, 1)
    days = {"start": start, "end": end}

    def count(sql: str) -> int:
        return s.scalar(text(sql), days)

    figures = {
        "year": y,
        "postings": count(f"SELECT count(*) FROM journal_postings_{y}"),
        "entries": count(f"SELECT count(*) FROM journal_entries_{y}"),
        "claims": count(f"SELECT count(*) FROM claims_{y}"),
        "mutual_aid": count(f"SELECT count(*) FROM claim_mulaid_payments_{y}"),
        "reversals": count("SELECT count(*) FROM claim_reversals WHERE service_date >= :start AND service_date < :end"),
        "sources": count("SELECT count(*) FROM claim_sources WHERE service_date >= :start AND service_date < :end"),
        "moved": count(
            f"SELECT CAST(coalesce(sum(amount), 0) AS bigint) FROM journal_entries_{y} WHERE account_id IS NOT NULL"
        ),
    }
    s.add(ArchivedYear(operator=operator, digest=postings_digest(s, y), **figures))
    s.flush()
    _keep_sums(s, y)
    _move_out(s, y, days)
    tables = [f"{SCHEMA}.{t}_{y}" for t in (*DETACHED, *MOVED)]
    return figures | {"moved": Yuan(figures["moved"]), "tables": tables}


def _keep_sums(s: Session, y: int) -> None:
    """What each account's, each wallet's and each book's entries of the year added up to."""
    s.execute(
        text(
            "INSERT INTO archived_balances (year, account_id, amount) SELECT :y, account_id, sum(amount) "
            f"FROM journal_entries_{y} WHERE account_id IS NOT NULL GROUP BY account_id"
        ),
        {"y": y},
    )
    s.execute(
        text(
            "INSERT INTO archived_books (year, book, amount) SELECT :y, book, sum(amount) "
            f"FROM journal_entries_{y} GROUP BY book"
        ),
        {"y": y},
    )
    s.execute(
        text(
            "INSERT INTO archived_wallets (year, psn_no, amount) SELECT :y, psn_no, sum(amount) "
            f"FROM journal_entries_{y} WHERE book = 'wallet' GROUP BY psn_no"
        ),
        {"y": y},
    )


def _move_out(s: Session, y: int, days: dict) -> None:
    """The year's reversals and sources copied out and deleted; its claims' settlement ids
    kept without them; its partitions detached; all into the archive's schema."""
    for table in MOVED:
        s.execute(
            text(
                f"CREATE TABLE {SCHEMA}.{table}_{y} AS SELECT * FROM {table} "
                "WHERE service_date >= :start AND service_date < :end"
            ),
            days,
        )
        with _triggers_aside(s, table):
            s.execute(text(f"DELETE FROM {table} WHERE service_date >= :start AND service_date < :end"), days)
        _append_only(s, f"{SCHEMA}.{table}_{y}", f"{table}_{y}", truncate=True)
    with _triggers_aside(s, partitions.REGISTRY):
        s.execute(
            text(
                f"UPDATE {partitions.REGISTRY} SET claim_id = NULL WHERE service_date >= :start AND service_date < :end"
            ),
            days,
        )
    for table in DETACHED:
        part = f"{table}_{y}"
        s.execute(text(f"ALTER TABLE {table} DETACH PARTITION {part}"))
        keys = s.scalars(
            text(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' AND conparentid = 0"
            ),
            {"t": part},
        ).all()
        for key in keys:  # the archive refers to nothing live, so nothing live is held by it
            s.execute(text(f'ALTER TABLE {part} DROP CONSTRAINT "{key}"'))
        s.execute(text(f"ALTER TABLE {part} SET SCHEMA {SCHEMA}"))
        _append_only(s, f"{SCHEMA}.{part}", part, truncate=False)


def postings_digest(s: Session, year: int) -> str:
    """sha256 of the year's postings' ids and stored hashes, in id order."""
    h = hashlib.sha256()
    rows = s.execute(
        select(Posting.id, Posting.hash)
        .where(Posting.effective_date >= date(year, 1, 1), Posting.effective_date < date(year + 1, 1, 1))
        .order_by(Posting.id)
        .execution_options(yield_per=BATCH)
    )
    for posting_id, stored in rows:
        h.update(f"{posting_id}:{stored}\n".encode())
    return h.hexdigest()


@contextmanager
def _triggers_aside(s: Session, table: str):
    """The table's append-only trigger off for the statement in the block: only the table's
    owner may (ALTER TABLE), in this transaction only, and it is on again before the
    transaction can commit (a failure rolls the whole back)."""
    s.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER trg_{table}_append_only"))
    yield
    s.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER trg_{table}_append_only"))


def _append_only(s: Session, table: str, name: str, *, truncate: bool) -> None:
    """An archived table refuses changes as it did in the live ledger: a detached partition
    loses the row triggers it had from its parent (its TRUNCATE trigger is its own)."""
    s.execute(
        text(
            f"CREATE TRIGGER trg_{name}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION public.ledger_refuse_change()"
        )
    )
    if truncate:  # a detached partition has its own (ledger_add_year made it)
        s.execute(
            text(
                f"CREATE TRIGGER trg_{name}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_refuse_truncate()"
            )
        )
