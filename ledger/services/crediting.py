"""`ledger account credit-monthly`: a month's personal-account credits (个人账户划入).

In-service employees (1101, 1103) get `employee.account.in_service_rate` × their
contribution base, bases from the bureau's file; retirees (1201, 1203) get the fixed
`employee.account.retired_monthly_amount` (国办发〔2021〕14号, docs/rules.md §3). Both come from the
policy of the person's region on the first day of the month; the seeds give neither, so an
operator's file must (a missing one is an error naming it). One credit per person and
month: running a month again credits only whom it has not credited yet.
"""

import re
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select

from .. import clock
from ..db.models import (
    Account,
    Enrollment,
    MonthlyCredit,
    Person,
)
from ..db.retry import retried
from ..db.sql import bulk_insert, reserve_ids
from ..errors import LedgerError, ValidationError
from ..i18n import _
from ..rules.adjudication import round_fen
from ..rules.codes import EMPLOYEE, IN_SERVICE_TYPES, is_retired
from ..rules.idcard import parse_id_number
from ..rules.money import Yuan, parse_yuan
from ..uow import UnitOfWork
from .journal import Draft, Leg, post_many
from .persons import ImportRejected, RowError
from .policies import policy_book


def parse_month(text: str) -> date:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", (text or "").strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValidationError("--month", _("is a month written YYYY-MM (got {text!r})").format(text=text))
    return date(int(m[1]), int(m[2]), 1)


def parse_bases(rows: Iterable[tuple[int, dict]]) -> dict[str, tuple[int, int]]:
    """psn_no -> (line, base in fen), every bad row reported at once."""
    bases: dict[str, tuple[int, int]] = {}
    errors = []
    for line, row in rows:
        psn = str(row.get("psn_no") or "").strip().upper()
        try:
            unknown = set(row) - {"psn_no", "base"}
            if unknown:
                raise ValidationError(", ".join(sorted(unknown)), _("unknown column (the columns are psn_no, base)"))
            psn = parse_id_number(psn).value
            base = parse_yuan(row.get("base") if row.get("base") is not None else "", "base", allow_zero=False)
            if psn in bases:
                raise ValidationError("psn_no", _("repeats line {bases}").format(bases=bases[psn][0]))
            bases[psn] = (line, base)
        except LedgerError as e:
            errors.append(RowError(line, psn, str(e)))
    if errors:
        raise ImportRejected(errors)
    return bases


@retried
def credit_monthly(uow: UnitOfWork, operator: str, month: str, bases: dict[str, tuple[int, int]] | None = None) -> dict:
    """Credit the month to every enrolled employee's account: the in-service at the rate on
    their base (`bases`: psn_no -> (line, base in fen)), the retired a fixed amount; each
    person once per month, however often it runs."""
    first = parse_month(month)
    today = clock.today()
    if first > today:
        raise ValidationError("--month", _("{month} has not begun").format(month=month))
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    on = min(last, today)  # credited at the month's end, or today for the month under way
    label = f"{first:%Y-%m}"
    bases = bases or {}
    with uow:
        s = uow.session
        people = _employees(s, first.year, bases)
        done = set(s.scalars(select(MonthlyCredit.psn_no).where(MonthlyCredit.month == label)))
        todo = [p for p in people if p.psn_no not in done]
        credits, counts = _credits(todo, bases, _Rates(policy_book(s), first))
        _write(s, operator, credits, on, label)
        summary = {
            "month": label,
            "credited_on": on,
            "credited": len(credits),
            "total": Yuan(sum(c[3] for c in credits)),
            "in_service": counts["in_service"],
            "retired": counts["retired"],
            "already_credited": len(done),
            "in_service_without_base": counts["in_service_without_base"],
        }
        uow.commit()
        return summary


def _employees(s, year: int, bases: dict) -> list:
    """The enrolled employees with an account, in ID order; every person given a base must be
    one of them, in service (all such rows refused at once, by line)."""
    people = s.execute(
        select(Person.psn_no, Person.psn_type, Person.region, Account.id.label("account_id"))
        .join(Account, Account.psn_no == Person.psn_no)
        .join(Enrollment, (Enrollment.psn_no == Person.psn_no) & (Enrollment.year == year))
        .where(Person.insutype == EMPLOYEE)
        .order_by(Person.psn_no)
    ).all()
    by_psn = {p.psn_no: p for p in people}
    errors = [
        RowError(
            line, psn, _("psn_no: not an in-service employee with an account enrolled for {year}").format(year=year)
        )
        for psn, (line, _base) in bases.items()
        if psn not in by_psn or by_psn[psn].psn_type not in IN_SERVICE_TYPES
    ]
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return people


class _Rates:
    """The crediting parameters of each pooling area, read once per run."""

    def __init__(self, book, first: date):
        self.book, self.first, self.known = book, first, {}

    def __call__(self, region: str, name: str):
        key = (region[:4], name)
        if key not in self.known:
            self.known[key] = self.book.get(region, self.first, name).value  # MissingParameter names it
        return self.known[key]


def _credits(people: list, bases: dict, rate: _Rates) -> tuple[list[tuple], dict]:
    """(psn_no, account id, base or None, amount) of each credit above zero, and the counts."""
    credits, counts = [], {"in_service": 0, "retired": 0, "in_service_without_base": 0}
    for p in people:
        if is_retired(p.psn_type):
            credits.append((p.psn_no, p.account_id, None, rate(p.region, "employee.account.retired_monthly_amount")))
            counts["retired"] += 1
        elif p.psn_no in bases:
            base = bases[p.psn_no][1]
            amount = round_fen(base * rate(p.region, "employee.account.in_service_rate"))
            if amount:
                credits.append((p.psn_no, p.account_id, base, amount))
                counts["in_service"] += 1
        else:
            counts["in_service_without_base"] += 1
    return [c for c in credits if c[3] > 0], counts


def _write(s, operator: str, credits: list[tuple], on: date, label: str) -> None:
    """One posting for the month's credits, from the funding book; a row per person credited."""
    if not credits:
        return
    legs = [Leg("personal_account", amount, psn, acct) for psn, acct, _base, amount in credits]
    legs.append(Leg("account_funding", -sum(c[3] for c in credits)))
    [pid] = post_many(
        s,
        [Draft("credit_monthly", on, f"monthly personal-account credit, {label}", legs, f"monthly:{label}")],
        operator,
    )
    t = MonthlyCredit.__table__
    rows = [
        (n, psn, label, base, amount, pid, on)
        for n, (psn, _acct, base, amount) in zip(reserve_ids(s, t, len(credits)), credits, strict=True)
    ]
    bulk_insert(s, t, ("id", "psn_no", "month", "base", "amount", "posting_id", "posted_on"), rows)
