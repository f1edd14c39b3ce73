"""Paying a bound resident member's yearly contribution from the holder's personal account
(docs/rules.md §1: 个人账户可用于支付近亲属参加城乡居民医保的个人缴费), which enrolls the member."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Account, ContributionPayment, Enrollment, FamilyBinding, Person
from ..db.retry import retried
from ..errors import Conflict
from ..i18n import _
from ..policy.book import PolicyBook, Resolved
from ..rules.codes import RESIDENT
from ..rules.idcard import mask
from ..rules.money import Yuan, format_fen
from ..rules.persons import check_year
from ..uow import UnitOfWork
from .policies import policy_book
from .records import Leg, account_of, audit, effective_date, flush_or, get_person, post


@retried
def pay_contribution(
    uow: UnitOfWork, operator: str, holder: str, member: str, year: int, on: date | None = None
) -> dict:
    """Pay a bound resident member's contribution for `year` from the holder's account and
    enroll the member for that year, in one transaction.

    The amount and the permission come from the policy in force on 1 January of `year`: the
    contribution for a year is that year's standard, even when it is paid in the central
    contribution period of the year before."""
    year = check_year(year)
    on = effective_date(on)
    with uow:
        s = uow.session
        h, m = get_person(s, holder, "holder"), get_person(s, member, "member")
        binding = _binding(s, h, m, on)
        _refuse_paid(s, m, year)
        allowed, amount = _standard(policy_book(s), m, year)
        # Concurrent payments from one account queue on its row lock, each seeing the
        # balance the previous one left.
        account = account_of(s, h, "holder", lock=True)
        if account.balance < amount.value:
            raise Conflict(
                _("holder: balance {balance} is short of the {year} contribution {value} ({resident_category})").format(
                    balance=format_fen(account.balance),
                    year=year,
                    value=format_fen(amount.value),
                    resident_category=m.resident_category,
                )
            )
        posting_id = _record(s, operator, h, m, binding, account.id, amount, year, on)
        balance = s.scalar(select(Account.balance).where(Account.id == account.id))
        uow.commit()
        return {
            "holder": h.psn_no,
            "member": m.psn_no,
            "year": year,
            "resident_category": m.resident_category,
            "amount": Yuan(amount.value),
            "holder_balance": Yuan(balance),
            "paid_on": on,
            "posting_id": posting_id,
            "policy": amount.document.name,
            "warnings": [w for w in (allowed.warning, amount.warning) if w],
        }


def _binding(s: Session, h: Person, m: Person, on: date) -> FamilyBinding:
    """The binding under which the holder pays: the member a resident, bound on the day."""
    if m.insutype != RESIDENT:
        raise Conflict(
            _("member: {psn_no} is an employee (310); only a resident's (390) contribution is paid this way").format(
                psn_no=mask(m.psn_no)
            )
        )
    # Held FOR SHARE, as claims hold theirs: an unbinding waits until this payment is in
    # and then sees it; one that got there first has ended the binding for this query.
    binding = s.scalars(
        select(FamilyBinding)
        .where(
            FamilyBinding.holder_psn_no == h.psn_no,
            FamilyBinding.member_psn_no == m.psn_no,
            FamilyBinding.active_on(on),
        )
        .with_for_update(read=True)
    ).first()
    if binding is None:
        raise Conflict(
            _("member: {psn_no} is not bound to holder {psn_no2} on {on}").format(
                psn_no=mask(m.psn_no), psn_no2=mask(h.psn_no), on=on
            )
        )
    return binding


def _refuse_paid(s: Session, m: Person, year: int) -> None:
    """A year's contribution is paid once, this way or another."""
    # The enrollment is read first: a payment commits its enrollment with it, so a payment
    # committed while this runs is seen below whenever its enrollment is seen here, and a
    # clerk who lost the race is told "already paid", not "paid another way".
    enrolled = s.scalar(select(Enrollment.id).where(Enrollment.psn_no == m.psn_no, Enrollment.year == year))
    paid = s.scalars(
        select(ContributionPayment).where(
            ContributionPayment.member_psn_no == m.psn_no, ContributionPayment.year == year
        )
    ).first()
    if paid is not None:
        raise Conflict(
            _(
                "member: the {year} contribution of {psn_no} is already paid ({amount} on {paid_on} from {holder_psn_no}'s account)"
            ).format(
                year=year,
                psn_no=mask(m.psn_no),
                amount=format_fen(paid.amount),
                paid_on=paid.paid_on,
                holder_psn_no=mask(paid.holder_psn_no),
            )
        )
    if enrolled:
        raise Conflict(
            _("member: {psn_no} is already enrolled for {year}; the contribution was paid another way").format(
                psn_no=mask(m.psn_no), year=year
            )
        )


def _standard(book: PolicyBook, m: Person, year: int) -> tuple[Resolved, Resolved]:
    """Whether an account may pay it, and the amount: the member's region's standard for
    `year`, in force on 1 January of that year."""
    standard = date(year, 1, 1)
    allowed = book.get(m.region, standard, "family.pays_resident_contributions")
    if allowed.value is not True:
        raise Conflict(
            _("the policy for region {region} in {year} does not let an account pay a relative's contribution").format(
                region=allowed.document.policy.region, year=year
            )
        )
    return allowed, book.get(m.region, standard, f"resident.contribution.{m.resident_category}")


def _record(
    s: Session,
    operator: str,
    h: Person,
    m: Person,
    binding: FamilyBinding,
    account_id: int,
    amount: Resolved,
    year: int,
    on: date,
) -> int:
    """The payment's posting, its row, the member's enrollment and the audit record; the posting's id."""
    posting = post(
        s,
        kind="family.contribution",
        on=on,
        operator=operator,
        ref=f"contribution:{m.psn_no}:{year}",
        memo=f"{year} resident contribution ({m.resident_category}) of {m.name}, paid from the account of {h.name}",
        legs=[
            Leg("personal_account", -amount.value, h.psn_no, account_id),
            Leg("contribution_collection", amount.value, m.psn_no),
        ],
    )
    s.add(
        ContributionPayment(
            member_psn_no=m.psn_no,
            year=year,
            holder_psn_no=h.psn_no,
            binding_id=binding.id,
            amount=amount.value,
            paid_on=on,
            posting_id=posting.id,
            operator=operator,
        )
    )
    s.add(Enrollment(psn_no=m.psn_no, year=year, enrolled_on=on))
    flush_or(
        s,
        Conflict(
            _("member: the {year} contribution of {psn_no} is already paid").format(year=year, psn_no=mask(m.psn_no))
        ),
    )
    audit(
        s,
        operator=operator,
        action="family.pay_contribution",
        subject=h.psn_no,
        member=m.psn_no,
        year=year,
        amount=amount.value,
        posting=posting.id,
        policy=amount.document.name,
    )
    return posting.id
