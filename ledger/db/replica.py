"""A read database (`--read-db`) is a replica of the write database, or it is not used.

Reports and `ledger verify` may read a replica; verify then records its clean run on the
write database, and `ledger db archive` trusts that record. A read database that is some
other ledger would have a tampered primary declared clean. So before its first read the
read database is proven to be a copy of the write one:

- PostgreSQL: the same cluster (`pg_control_system().system_identifier`, which a standby
  made by pg_basebackup shares with its primary) and the same database name, and either a
  standby (in recovery) or the very server of the write database (started at the same
  instant): a copy restored from a backup or a standby promoted shares the identifier but
  takes writes of its own;
- both backends: each hash chain's head on the read database is a row of the write
  database with the same hash. A replica is never ahead of its primary, and a chain's hash
  follows from every row before it, so another ledger cannot match (an empty one matches
  only at the start: its reads are of nothing).

`ledger verify` checks the heads it reached once more before recording its run on the write
database (`reached_on`): the run must be of books the write database holds."""

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..i18n import _
from . import chain
from .models import AuditRecord, Posting

ROWS = {chain.JOURNAL: Posting, chain.AUDIT: AuditRecord}


def prove(write: Engine, read: Engine) -> None:
    """Refuse (ValidationError on --read-db) a read database that is not a replica of `write`."""
    if write.dialect.name != read.dialect.name:
        raise ValidationError(
            "--read-db",
            _("is {read}, the write database {write}: a replica is of the same kind").format(
                read=read.dialect.name, write=write.dialect.name
            ),
        )
    if write.dialect.name == "postgresql":
        identity = text(
            "SELECT system_identifier::text || '/' || current_database(), pg_is_in_recovery(), "
            "pg_postmaster_start_time() FROM pg_control_system()"
        )
        with write.connect() as w, read.connect() as r:
            (mine, _w, started), (theirs, standby, their_start) = w.execute(identity).one(), r.execute(identity).one()
        if mine == theirs and not standby and their_start != started:
            raise ValidationError(
                "--read-db",
                _(
                    "is not a replica of the write database: it shares its cluster ({theirs}) but takes writes of its own (a copy restored or promoted, not a standby)"
                ).format(theirs=theirs),
            )
        if mine != theirs:
            raise ValidationError(
                "--read-db",
                _(
                    "is not a replica of the write database: its cluster and database are {theirs}, the write database's {mine} (a standby made with pg_basebackup shares them)"
                ).format(theirs=theirs, mine=mine),
            )
    with Session(read) as s:
        heads = chain.heads(s)
    missing = reached_on(write, heads)
    if missing:
        raise ValidationError(
            "--read-db",
            _(
                "is not a replica of the write database: the head of its {chain} chain (row {id}) is not a row of the write database's"
            ).format(chain=missing[0], id=heads[missing[0]][0]),
        )


def reached_on(write: Engine, heads: dict[str, tuple[int | None, str]]) -> list[str]:
    """The chains whose head in `heads` (chain -> (last id, hash)) the write database does
    not hold: no row of that id there, or one of another hash."""
    missing = []
    with Session(write) as s:
        for name, row in ROWS.items():
            last_id, hash_ = heads.get(name, (None, chain.GENESIS))
            if last_id is None:
                continue  # the chain's start: every ledger's
            if s.scalar(select(row.hash).where(row.id == last_id)) != hash_:
                missing.append(name)
    return missing
