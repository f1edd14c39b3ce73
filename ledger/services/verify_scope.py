"""What one run of `ledger verify` covers: the whole of the books, or (`--since`) what was
written after the last clean run.

Every write that moves money is a journal posting, and postings join the hash chain in id
order under the chain head's lock, held until commit: a snapshot that sees the head at
posting N sees every posting up to N and none after it. So the journal head a clean run saw
is an exact mark. Claims, reversals and contributions are "after the mark" when their
posting is; the counters, the accounts and the reports' sums they touched are checked again
in full. What no posting after the mark touched is taken as the clean run left it: a row
changed behind the ledger's back before the mark is found by the next full run (or at once
by the hash chain, for the journal and the audit log)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, true, union
from sqlalchemy.orm import Session

from ..db.models import ClaimRecord, ClaimReversal, VerifyRun


@dataclass(frozen=True)
class Mark:
    """How far a clean run reached: each chain's head then, the accounts' balances added up."""

    run: int | None
    at: datetime | None
    journal: tuple[int | None, str]
    audit: tuple[int | None, str]
    balances: int
    digest: str | None = None  # services/verify_digest.py, hexadecimal


@dataclass(frozen=True)
class Scope:
    """The whole of the books (`mark` None), or what was posted after `mark`."""

    mark: Mark | None = None

    @property
    def whole(self) -> bool:
        return self.mark is None

    def after(self, posting_id) -> ColumnElement[bool]:
        """The condition on a posting id column: in this run's scope."""
        if self.mark is None or self.mark.journal[0] is None:
            return true()
        return posting_id > self.mark.journal[0]

    def claims_touched(self):
        """The ids of the claims posted, or reversed, after the mark: a SELECT of one column,
        never correlated with the query it is put in (which often reads the claims too)."""
        posted = select(ClaimRecord.id.label("claim_id")).where(self.after(ClaimRecord.posting_id)).correlate(None)
        reversed_ = select(ClaimReversal.claim_id).where(self.after(ClaimReversal.posting_id)).correlate(None)
        return union(posted, reversed_)


EVERYTHING = Scope()


def last_mark(s: Session) -> Mark | None:
    """The mark of the newest clean run, or None if none is recorded."""
    r = s.execute(select(VerifyRun).order_by(VerifyRun.id.desc()).limit(1)).scalar_one_or_none()
    if r is None:
        return None
    return Mark(r.id, r.at, (r.journal_last_id, r.journal_hash), (r.audit_last_id, r.audit_hash), r.balances, r.digest)
