"""The health-insurance wallet (医保钱包, docs/wallet.md): transfers from a holder's personal
account to a near relative's wallet, and what a wallet holds.

A transfer is one transaction: the parties and both regions' policies are read, the pair's
relation settled, then the holder's account is locked (every transfer of one holder waits
for the one before, so the day's count cannot be read twice by two of them), the limits are
checked on what it holds, and the posting moves the money: the account by id, then the
wallet, the ledger's one lock order (services/journal.py)."""

from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .. import clock
from ..db.models import Account, Enrollment, FamilyBinding, Person, PersonDeath, Wallet, WalletTransfer, utcnow
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _
from ..policy.book import PolicyBook, pooling_area
from ..rules.idcard import mask
from ..rules.money import Yuan
from ..rules.wallet import TransferPolicy, check_alive, check_enabled, check_relation, check_transfer
from ..uow import UnitOfWork
from .journal import WALLET
from .policies import policy_book
from .records import Leg, account_of, get_person, post

KIND = "wallet.transfer"  # the postings' kind


def local_instant(at: datetime | None) -> datetime:
    """The transfer's instant in the ledger's zone (clock.py): now if not given; a time
    without a zone is read as the desk's local time. Never in the future. (Its day and hour
    are judged on the pooling area's clock: `area_time`.)"""
    now = clock.now()
    if at is None:
        return now
    at = at.replace(tzinfo=clock.zone()) if at.tzinfo is None else at.astimezone(clock.zone())
    if at > now:
        raise ValidationError("--at", _("{at} is in the future").format(at=at.isoformat(timespec="minutes")))
    return at


def local(stored: datetime) -> datetime:
    """A stored instant in the ledger's zone: PostgreSQL gives it back aware, SQLite as the
    UTC value it was given, without its zone."""
    return (stored if stored.tzinfo else stored.replace(tzinfo=UTC)).astimezone(clock.zone())


def transfer(
    uow: UnitOfWork,
    operator: str,
    holder_psn_no: str,
    member_psn_no: str,
    amount: int,
    at: datetime | None = None,
    relation: str | None = None,
) -> dict:
    """Move `amount` fen from the holder's personal account to the member's wallet. `at`:
    when (default now; judged in local time); `relation`: what the member is to the holder,
    needed only where no binding of the pair says it."""
    if amount <= 0:
        raise ValidationError("amount", _("must be greater than zero"))
    desk = local_instant(at)
    with uow:
        s = uow.session
        holder = get_person(s, holder_psn_no, "holder")
        member = get_person(s, member_psn_no, "member")
        if holder.psn_no == member.psn_no:
            raise ValidationError("member", _("a wallet transfer goes to a relative, not to the holder's own wallet"))
        book = policy_book(s)
        at = area_time(book, holder.region, desk, holder.psn_no)
        day = at.date()
        deaths = dict(s.execute(select(PersonDeath.psn_no, PersonDeath.died_on).where(
            PersonDeath.psn_no.in_((holder.psn_no, member.psn_no)))).all())  # fmt: skip
        for role, person in (("holder", holder), ("member", member)):
            check_alive(role, person.psn_no, deaths.get(person.psn_no), day)
        policy = transfer_policy(book, holder.region, day, holder.psn_no)
        check_enabled("member", member.psn_no, member.region, day, enabled_from(book, member.region, day))
        _require_insured(s, member.psn_no, day.year)
        binding = _binding(s, holder.psn_no, member.psn_no, day)
        relation = check_relation(relation, binding.relation if binding else None, policy)
        acct = account_of(s, holder, "holder", lock=True)
        made = s.scalar(
            select(func.count())
            .select_from(WalletTransfer)
            .where(WalletTransfer.holder_psn_no == holder.psn_no, WalletTransfer.local_day == day)
        )
        check_transfer(amount, at, policy, made, acct.balance)
        row = _move(s, operator, acct, member.psn_no, relation, binding, amount, at)
        view = _transfer_view(s, row) | {"transfers_today": made + 1}
        uow.commit()
    return view


def _move(
    s: Session,
    operator: str,
    acct: Account,
    member: str,
    relation: str,
    binding: FamilyBinding | None,
    amount: int,
    at: datetime,
) -> WalletTransfer:
    """The transfer's posting (the holder's account to the member's wallet, opened if new)
    and its row."""
    open_wallet(s, member)
    holder = acct.psn_no
    posting = post(
        s,
        kind=KIND,
        on=at.date(),
        memo=f"wallet transfer to {mask(member)} ({relation})",
        operator=operator,
        legs=[Leg("personal_account", -amount, holder, acct.id), Leg(WALLET, amount, member)],
        ref=member,
    )
    row = WalletTransfer(
        holder_psn_no=holder,
        member_psn_no=member,
        relation=relation,
        binding_id=binding.id if binding else None,
        amount=amount,
        at=at.astimezone(UTC),  # instants are kept in UTC, which SQLite gives back without its zone
        local_day=at.date(),
        posting_id=posting.id,
        operator=operator,
    )
    s.add(row)
    s.flush()
    return row


def _transfer_view(s: Session, row: WalletTransfer) -> dict:
    return {
        "id": row.id,
        "holder": row.holder_psn_no,
        "member": row.member_psn_no,
        "relation": row.relation,
        "binding_id": row.binding_id,
        "amount": Yuan(row.amount),
        "at": local(row.at).isoformat(timespec="seconds"),
        "local_day": row.local_day,
        "posting_id": row.posting_id,
        "holder_balance": Yuan(s.scalar(select(Account.balance).where(Account.psn_no == row.holder_psn_no))),
        "member_wallet": Yuan(s.scalar(select(Wallet.balance).where(Wallet.psn_no == row.member_psn_no))),
    }


def area_time(book: PolicyBook, region: str, at: datetime, holder: str) -> datetime:
    """The instant on the holder's pooling area's clock (`wallet.transfer.time_zone`): the
    day a transfer counts in and whether it falls in the quiet hours are the policy's,
    whatever zone the desk recording it runs in (LEDGER_TIMEZONE)."""
    zone = book.find(region, at.date(), "wallet.transfer.time_zone")  # the clock, read on the desk's day
    if zone is None:  # a region that has not enabled the wallet is told so first
        check_enabled("holder", holder, pooling_area(region), at.date(), enabled_from(book, region, at.date()))
        zone = book.get(region, at.date(), "wallet.transfer.time_zone")
    # whether it is enabled is then judged on the area's own day (transfer_policy)
    return at.astimezone(clock.zone_named(zone.value))


def enabled_from(book: PolicyBook, region: str, on: date) -> date | None:
    found = book.find(region, on, "wallet.enabled_from")
    return found.value if found is not None else None


def transfer_policy(book: PolicyBook, region: str, on: date, holder: str = "") -> TransferPolicy:
    """The holder's region's wallet parameters on the day: refused where the region has not
    enabled the wallet, and, where it has, for each parameter it leaves out, named
    (MissingParameter)."""
    relations = book.get(region, on, "family.relations")
    area = pooling_area(region)
    check_enabled("holder", holder, area, on, enabled_from(book, region, on))

    def get(name: str):
        return book.get(region, on, f"wallet.transfer.{name}").value

    return TransferPolicy(
        area,
        on,
        max_per_day=get("max_per_day"),
        max_amount=get("max_amount"),
        quiet_from=get("quiet_from"),
        quiet_until=get("quiet_until"),
        needs_binding=get("needs_binding"),
        relations=relations.value,
        zone=get("time_zone"),
    )


def _require_insured(s: Session, psn_no: str, year: int) -> None:
    """The relative a wallet is for must be insured (enrolled) in the transfer's year: the
    wallet pays their claims, which need it too."""
    if s.scalar(select(Enrollment.id).where(Enrollment.psn_no == psn_no, Enrollment.year == year)) is None:
        raise Conflict(
            _("member: {psn_no} is not enrolled for {year}, the year of the transfer").format(
                psn_no=mask(psn_no), year=year
            )
        )


def _binding(s: Session, holder: str, member: str, on: date) -> FamilyBinding | None:
    return s.scalars(
        select(FamilyBinding)
        .where(
            FamilyBinding.holder_psn_no == holder, FamilyBinding.member_psn_no == member, FamilyBinding.active_on(on)
        )
        .order_by(FamilyBinding.id)
    ).first()


def open_wallet(s: Session, psn_no: str) -> None:
    """The person's wallet, made if they have none; two transfers to a new wallet at once
    make it once (the unique owner), neither failing."""
    values = {"psn_no": psn_no, "balance": 0, "opened_at": utcnow()}
    dialect_insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(Wallet.__table__).values(values).on_conflict_do_nothing(index_elements=["psn_no"])
    s.execute(stmt)


def show_wallet(uow: UnitOfWork, psn_no: str) -> dict:
    """`ledger wallet show`: the balance, and every transfer in and out, oldest first."""
    with uow.read_only():
        s = uow.session
        person = get_person(s, psn_no)
        wallet = s.execute(select(Wallet.balance, Wallet.opened_at).where(Wallet.psn_no == person.psn_no)).first()
        rows = s.scalars(
            select(WalletTransfer)
            .where(or_(WalletTransfer.holder_psn_no == person.psn_no, WalletTransfer.member_psn_no == person.psn_no))
            .order_by(WalletTransfer.at, WalletTransfer.id)
        ).all()
        parties = {p for t in rows for p in (t.holder_psn_no, t.member_psn_no)}
        names = dict(s.execute(select(Person.psn_no, Person.name).where(Person.psn_no.in_(parties))).all())
        transfers = [_line(t, person.psn_no, names) for t in rows]
        view = {"psn_no": person.psn_no, "name": person.name}
    if wallet is None and not transfers:
        raise NotFound(
            _("psn_no: {psn_no} has no 医保钱包: no transfer has reached or left them").format(
                psn_no=mask(view["psn_no"])
            )
        )
    return view | {
        "balance": Yuan(wallet.balance if wallet else 0),
        "opened_at": wallet.opened_at.isoformat(timespec="seconds") if wallet else None,
        "transfers": transfers,
    }


def _line(t: WalletTransfer, psn_no: str, names: dict) -> dict:
    """A transfer as the person it is shown for sees it: in or out, and with whom."""
    incoming = t.member_psn_no == psn_no
    other = t.holder_psn_no if incoming else t.member_psn_no
    return {
        "id": t.id,
        "direction": "in" if incoming else "out",
        "with": other,
        "name": names.get(other),
        "relation": t.relation,
        "amount": Yuan(t.amount),
        "at": local(t.at).isoformat(timespec="seconds"),
        "local_day": t.local_day,
        "posting_id": t.posting_id,
    }
