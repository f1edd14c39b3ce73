"""`ledger verify`, the balances' digest: every personal account's and wallet's balance at
once, in one number, so `--since` sees a balance changed behind the ledger's back in an
account no posting since touched, at a cost that grows with the accounts, not the years.

The digest is a multiset hash (MuHash: the product, modulo the prime 2**3072 - 1103717, of
each element's hash): each balance that is not 0 is the element `a:<account id>:<balance>`
(a wallet: `w:<psn_no>:<balance>`), hashed with SHAKE-256 to 384 bytes. A clean run records
it (`verify_runs.digest`, migration 0023, as hexadecimal). Since then, the postings after
the mark moved some accounts by a known amount each (their entries); so the digest now must
be the mark's with, for each account they moved, its balance then (now less what moved)
divided out and its balance now multiplied in. A changed balance the postings do not explain
changes the digest; and unlike a sum of short hashes, no set of changes can be found that
cancels out in it (that would solve a discrete logarithm), however many accounts an
attacker spreads them over. Which account changed is for a full run to name.

A balance of 0 is no element, so an account or a wallet opened after a clean run adds
nothing until money moves in it (and the postings that move it say so). Every balance is
read and hashed here, streamed, on both backends: about 25 µs a balance (a province's 2.4
million accounts: about a minute), whatever the years of postings."""

from hashlib import shake_256

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Account, Entry, Wallet
from ..db.sql import sum_fen
from .journal import WALLET
from .verify_scope import Scope

P = 2**3072 - 1103717  # MuHash3072's modulus, a safe prime
ACCOUNT, WALLET_KEY = "a", "w"
READ = 50_000  # rows fetched at a time


def element(kind: str, key: object, balance: int) -> int:
    """One balance's element of the digest; 1 (nothing) for a balance of 0."""
    if balance == 0:
        return 1
    return int.from_bytes(shake_256(f"{kind}:{key}:{balance}".encode()).digest(384), "big") % P or 1


def as_text(d: int) -> str:
    return format(d, "x")


def digest(s: Session) -> int:
    """The digest of every account's and wallet's balance now."""
    d = 1
    for kind, key, balance in ((ACCOUNT, Account.id, Account.balance), (WALLET_KEY, Wallet.psn_no, Wallet.balance)):
        rows = s.execute(select(key, balance).where(balance != 0).execution_options(yield_per=READ))
        for k, b in rows:
            d = d * element(kind, k, b) % P
    return d


def expected(s: Session, scope: Scope) -> int:
    """The digest the mark's becomes with the balances the postings after it moved: for
    each account and wallet they moved, its balance then (now less what they moved) divided
    out, its balance now multiplied in."""
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
    now, then = int(scope.mark.digest, 16), 1
    for kind, q in moved.items():
        for key, balance, amount in s.execute(q):
            now = now * element(kind, key, balance) % P
            then = then * element(kind, key, balance - amount) % P
    return now * pow(then, -1, P) % P
