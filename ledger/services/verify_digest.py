"""`ledger verify`, the balances' digest: every personal account's and wallet's balance at
once, in one number, so `--since` sees a balance changed behind the ledger's back in an
account no posting since touched, at a cost that grows with the accounts, not the years.

The digest is the sum, modulo 2**64, of a hash of each balance that is not 0: sha256 of
`a:<account id>:<balance>` (a wallet: `w:<psn_no>:<balance>`), its first 8 bytes as a
signed integer. A
clean run records it (`verify_runs.digest`, migration 0023). Since then, the postings after
the mark moved some accounts by a known amount each (their entries); so the digest now must
be the mark's with, for each account they moved, the hash of its balance then (now less what
moved) taken out and the hash of its balance now put in. A changed balance the postings do
not explain changes the digest, and a total check cannot see +1000.00 here and −1000.00
there, which a sum of hashes does. Which account changed is for a full run to name.

PostgreSQL adds the hashes up in the database (`sha256`, SQL); SQLite's rows are hashed
here, with the same function (`balance_hash`), which `tests/integration/test_verify_since.py`
holds the SQL to."""

from hashlib import sha256

from sqlalchemy import BigInteger, Text, cast, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.orm import Session

from ..db.models import Account, Entry, Wallet
from ..db.sql import sum_fen
from .journal import WALLET
from .verify_scope import Scope

MOD = 1 << 64
ACCOUNT, WALLET_KEY = "a", "w"


def balance_hash(kind: str, key: object, balance: int) -> int:
    """One balance's part of the digest; nothing for a balance of 0, so an account or a
    wallet opened after a clean run, whose balance was then no part of it, adds nothing
    until money moves in it (and the postings that move it say so)."""
    if balance == 0:
        return 0
    return int.from_bytes(sha256(f"{kind}:{key}:{balance}".encode()).digest()[:8], "big", signed=True)


def signed(d: int) -> int:
    """A digest as the signed 64-bit integer it is stored as."""
    d = int(d) % MOD  # PostgreSQL's sum is a Decimal, whose % keeps the dividend's sign
    return d - MOD if d >= MOD // 2 else d


def digest(s: Session) -> int:
    """The digest of every account's and wallet's balance now, as `signed` gives it."""
    tables = ((ACCOUNT, Account.id, Account.balance), (WALLET_KEY, Wallet.psn_no, Wallet.balance))
    if s.get_bind().dialect.name == "postgresql":
        total = sum(s.scalar(select(func.coalesce(func.sum(_sql_hash(*t)), 0)).where(t[2] != 0)) for t in tables)
    else:
        total = sum(balance_hash(kind, key, b) for kind, *columns in tables for key, b in s.execute(select(*columns)))
    return signed(total)


def _sql_hash(kind: str, key, balance):
    """balance_hash in SQL (PostgreSQL)."""
    text = literal(f"{kind}:") + cast(key, Text) + literal(":") + cast(balance, Text)
    hexed = func.encode(func.sha256(func.convert_to(text, "UTF8")), "hex")
    bits = cast(literal("x") + func.left(hexed, 16), BIT(64))
    return type_coerce(cast(bits, BigInteger), BigInteger)


def expected(s: Session, scope: Scope) -> int:
    """The digest the mark's becomes with the balances the postings after it moved: for
    each account and wallet they moved, its balance then (now less what they moved) out,
    its balance now in."""
    after = scope.after(Entry.posting_id)
    moved = {
        ACCOUNT: select(Account.id, Account.balance, sum_fen(Entry.amount))
        .join(Entry, Entry.account_id == Account.id)
        .where(after)
        .group_by(Account.id, Account.balance),
        WALLET_KEY: select(Wallet.psn_no, Wallet.balance, sum_fen(Entry.amount))
        .join(Entry, (Entry.psn_no == Wallet.psn_no) & (Entry.book == WALLET))
        .where(after)
        .group_by(Wallet.psn_no, Wallet.balance),
    }
    d = scope.mark.digest
    for kind, q in moved.items():
        for key, now, amount in s.execute(q):
            d += balance_hash(kind, key, now) - balance_hash(kind, key, now - amount)
    return signed(d)
