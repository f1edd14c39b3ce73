"""Personal accounts (个人账户): crediting, balance, statement."""

from datetime import date

from sqlalchemy import select

from ..db.models import (
    Account,
    ArchivedBalance,
    ClaimMutualAid,
    ClaimRecord,
    ContributionPayment,
    Entry,
    FamilyBinding,
    Person,
    Posting,
    Wallet,
    WalletTransfer,
)
from ..db.retry import retried
from ..db.sql import one_of, sum_fen
from ..errors import ValidationError
from ..i18n import _
from ..rules.money import Yuan
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from . import archive, wallets
from .family import active_bindings
from .records import Leg, account_of, audit, effective_date, get_person, post


@retried
def credit(uow: UnitOfWork, operator: str, psn_no: str, amount: int, reason: str, on: date | None = None) -> dict:
    """A manual credit (opening balance, correction in the account's favour). `amount` is fen."""
    if amount <= 0:
        raise ValidationError("amount", _("must be greater than zero"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("is required for a manual credit"))
    reason = check_text(reason, "reason", max_length=REASON_LENGTH)
    on = effective_date(on)
    with uow:
        person = get_person(uow.session, psn_no)
        acct = account_of(uow.session, person)
        posting = post(
            uow.session,
            kind="account.credit",
            on=on,
            memo=reason,
            operator=operator,
            legs=[
                Leg("personal_account", amount, person.psn_no, acct.id),
                Leg("account_funding", -amount, person.psn_no),
            ],
        )
        audit(
            uow.session,
            operator=operator,
            action="account.credit",
            subject=person.psn_no,
            reason=reason,
            amount=amount,
            posting=posting.id,
        )
        balance = uow.session.scalar(select(Account.balance).where(Account.id == acct.id))
        uow.commit()
        return {
            "psn_no": person.psn_no,
            "amount": Yuan(amount),
            "balance": Yuan(balance),
            "posting_id": posting.id,
            "date": on,
        }


def show_account(uow: UnitOfWork, psn_no: str) -> dict:
    """The account's balance, the person's wallet's (None: they have none; docs/wallet.md)
    and their active bindings."""
    with uow.read_only():
        person = get_person(uow.session, psn_no)
        acct = account_of(uow.session, person)
        wallet = uow.session.scalar(select(Wallet.balance).where(Wallet.psn_no == person.psn_no))
        return {
            "psn_no": person.psn_no,
            "name": person.name,
            "balance": Yuan(acct.balance),
            "wallet": None if wallet is None else Yuan(wallet),
            "bindings": active_bindings(uow.session, person.psn_no),
        }


def statement(uow: UnitOfWork, psn_no: str, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Movements with a running balance. The opening balance is the sum of everything
    before `date_from` (and of the archived years, whose lines are gone), so a statement of
    any window ties to the account's balance."""
    if date_from and date_to and date_from > date_to:
        raise ValidationError(
            "--from", _("{date_from} is after --to {date_to}").format(date_from=date_from, date_to=date_to)
        )
    with uow.read_only(replica=True):
        s = uow.session
        person = get_person(s, psn_no)
        acct = account_of(s, person)
        base = (
            select(Entry.amount, Posting.id, Posting.effective_date, Posting.kind, Posting.memo, Posting.ref)
            .join(Posting)
            .where(Entry.account_id == acct.id)
        )
        # archived years' entries are gone (services/archive.py): their sum opens the statement
        opening = s.scalar(select(sum_fen(ArchivedBalance.amount)).where(ArchivedBalance.account_id == acct.id))
        if date_from:
            archive.require_live(s, date_from, "--from")
            opening += s.scalar(
                select(sum_fen(Entry.amount))
                .join(Posting)
                .where(Entry.account_id == acct.id, Posting.effective_date < date_from)
            )
            base = base.where(Posting.effective_date >= date_from)
        if date_to:
            base = base.where(Posting.effective_date <= date_to)
        lines, running = [], opening
        for amount, posting_id, on, kind, memo, ref in s.execute(
            base.order_by(Posting.effective_date, Posting.id, Entry.id)
        ):
            running += amount
            lines.append(
                {
                    "date": on,
                    "posting_id": posting_id,
                    "kind": kind,
                    "memo": memo,
                    "ref": ref,
                    "for": None,
                    "amount": Yuan(amount),
                    "balance": Yuan(running),
                }
            )
        _name_whom_paid_for(s, person.psn_no, lines)
        return {
            "psn_no": person.psn_no,
            "name": person.name,
            "from": date_from,
            "to": date_to,
            "opening_balance": Yuan(opening),
            "closing_balance": Yuan(running),
            "lines": lines,
        }


CLAIM_KINDS = ("claim", "claim_reversal")


def _name_whom_paid_for(s, owner: str, lines: list[dict]) -> None:
    """Each line that paid for someone else from this account (a relative's claim under
    家庭共济, its reversal, a relative's contribution, a transfer to a relative's wallet)
    gets `for`: that person's psn_no, name and what they are to the holder."""
    refs = {line["ref"] for line in lines if line["kind"] in CLAIM_KINDS and line["ref"]}
    paid_for: dict = {}
    for setl_id, psn_no, name, relation in s.execute(
        select(ClaimRecord.setl_id, ClaimRecord.psn_no, Person.name, FamilyBinding.relation)
        .join(Person, Person.psn_no == ClaimRecord.psn_no)
        .join(ClaimMutualAid, (ClaimMutualAid.claim_id == ClaimRecord.id) & (ClaimMutualAid.payer_psn_no == owner))
        .join(FamilyBinding, FamilyBinding.id == ClaimMutualAid.binding_id)
        .where(one_of(s, ClaimRecord.setl_id, refs), ClaimRecord.psn_no != owner)
    ):
        paid_for[("claim", setl_id)] = {"psn_no": psn_no, "name": name, "relation": relation}
    postings = [line["posting_id"] for line in lines if line["kind"] == "family.contribution"]
    for posting_id, psn_no, name, relation in s.execute(
        select(ContributionPayment.posting_id, Person.psn_no, Person.name, FamilyBinding.relation)
        .join(Person, Person.psn_no == ContributionPayment.member_psn_no)
        .join(FamilyBinding, FamilyBinding.id == ContributionPayment.binding_id)
        .where(one_of(s, ContributionPayment.posting_id, postings), ContributionPayment.holder_psn_no == owner)
    ):
        paid_for[("posting", posting_id)] = {"psn_no": psn_no, "name": name, "relation": relation}
    sent = [line["posting_id"] for line in lines if line["kind"] == wallets.KIND]
    for posting_id, psn_no, name, relation in s.execute(
        select(WalletTransfer.posting_id, Person.psn_no, Person.name, WalletTransfer.relation)
        .join(Person, Person.psn_no == WalletTransfer.member_psn_no)
        .where(one_of(s, WalletTransfer.posting_id, sent), WalletTransfer.holder_psn_no == owner)
    ):
        paid_for[("posting", posting_id)] = {"psn_no": psn_no, "name": name, "relation": relation}
    for line in lines:
        key = ("claim", line["ref"]) if line["kind"] in CLAIM_KINDS else ("posting", line["posting_id"])
        line["for"] = paid_for.get(key)
