"""`ledger verify`, the wallets (医保钱包, docs/wallet.md), checked as the accounts are: each
wallet's balance is its journal entries (and the archived years' sums of them), every
wallet entry has its wallet, and each transfer's posting moved what the transfer says,
from the holder's account to the member's wallet."""

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from ..db.models import Entry, Wallet, WalletTransfer
from ..db.sql import sum_fen
from ..rules.idcard import mask
from ..rules.money import format_fen
from . import archive
from .journal import WALLET
from .verify_problem import Problem, problem
from .verify_scope import Scope


def wallet_problems(s: Session, scope: Scope) -> list[Problem]:
    return _balance_problems(s, scope) + _transfer_problems(s, scope)


def _balance_problems(s: Session, scope: Scope) -> list[Problem]:
    """Every wallet (since a mark: those a posting after it moved) against its entries; an
    entry of a person with no wallet is named too (its amount would be nowhere)."""
    entries = (
        select(Entry.psn_no, sum_fen(Entry.amount).label("total")).where(Entry.book == WALLET).group_by(Entry.psn_no)
    )
    if not scope.whole:
        moved = select(Entry.psn_no).where(Entry.book == WALLET, scope.after(Entry.posting_id))
        entries = entries.where(Entry.psn_no.in_(moved))
    entries = entries.subquery()
    gone = archive.wallet_sums()
    total = func.coalesce(entries.c.total, 0) + func.coalesce(gone.c.amount, 0)
    touched = Wallet.psn_no.in_(select(entries.c.psn_no)) if not scope.whole else literal(True)
    rows = s.execute(
        select(Wallet.psn_no, Wallet.balance, total)
        .outerjoin(entries, entries.c.psn_no == Wallet.psn_no)
        .outerjoin(gone, gone.c.psn_no == Wallet.psn_no)
        .where(Wallet.balance != total, touched)
    )
    problems = [
        problem(
            "wallet_balance_differs",
            "wallets",
            psn_no,
            "wallet of {psn_no}: balance {balance}, but its journal entries add up to {total}",
            psn_no=mask(psn_no),
            balance=format_fen(balance),
            total=format_fen(total),
        )
        for psn_no, balance, total in rows
    ]
    orphans = s.execute(
        select(entries.c.psn_no, entries.c.total)
        .outerjoin(Wallet, Wallet.psn_no == entries.c.psn_no)
        .where(Wallet.id.is_(None))
    )
    problems += [
        problem(
            "wallet_missing",
            "journal_entries",
            psn_no,
            "wallet entries of {psn_no} add up to {total}, but {psn_no} has no wallet",
            psn_no=mask(psn_no),
            total=format_fen(total),
        )
        for psn_no, total in orphans
    ]
    return problems


def _transfer_problems(s: Session, scope: Scope) -> list[Problem]:
    """Each transfer's posting: the holder's account gave the amount, the member's wallet got it."""
    t, e = WalletTransfer, Entry

    def moved(book: str, whose):
        return sum_fen(case((and_(e.book == book, e.psn_no == whose), e.amount), else_=literal(0)))

    given, got = -moved("personal_account", t.holder_psn_no), moved(WALLET, t.member_psn_no)
    rows = s.execute(
        select(t.id, t.amount, given, got)
        .join(e, e.posting_id == t.posting_id)
        .where(scope.after(t.posting_id))
        .group_by(t.id, t.amount, t.holder_psn_no, t.member_psn_no)
        .having(or_(given != t.amount, got != t.amount))
    )
    return [
        problem(
            "wallet_transfer_differs",
            "wallet_transfers",
            transfer_id,
            "wallet transfer {id}: of {amount}, its posting took {given} from the holder's account and gave {got} "
            "to the member's wallet",
            id=transfer_id,
            amount=format_fen(amount),
            given=format_fen(given),
            got=format_fen(got),
        )
        for transfer_id, amount, given, got in rows
    ]
