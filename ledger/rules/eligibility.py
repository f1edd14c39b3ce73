"""Whether a claim may be posted, and under which rules: a pure function of the claim and
what the posting service fetched for its chunk (persons, enrollments, bindings, policy). No
database here; the first phase of posting (docs/claims.md).

    eligibility(Claim, Context) -> Eligible(rules, payers, no_fund_reason)   or a LedgerError
"""

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ..errors import Conflict, LedgerError, NotFound, PolicyError
from ..i18n import _
from ..policy.book import PolicyBook, pooling_area
from .benefits import ClaimRules, Patient, WaitingPeriod, broken_years, rules_for, waiting_period
from .claim_input import Claim
from .codes import RESIDENT, is_retired
from .family import is_active
from .idcard import mask
from .offsite import offsite_kind


@dataclass
class Context:
    """What the checks read, fetched once per chunk. `cache` keeps the rules worked out for
    one (files in force, scheme, person type, med_type, level, disease) across its claims."""

    persons: dict  # psn_no -> (psn_no, insutype, psn_type, region), patients and named payers
    enrolled: dict[str, dict[int, date | None]]  # patient -> {year: day paid}
    bindings: dict[str, list]  # patient -> their bindings as member, in the order made
    holder_regions: dict[str, str]  # holder -> region
    book: PolicyBook
    cache: dict = field(default_factory=dict)
    wallets: set[str] = field(default_factory=set)  # the patients who have a wallet
    registrations: dict[str, list] = field(default_factory=dict)  # patient -> off-site registrations, in the order made


class Eligible(NamedTuple):
    rules: ClaimRules  # basic None: no fund pays (not pooled, or a waiting period)
    payers: tuple[tuple[int, str], ...]  # (binding id, holder) whose accounts may pay, in order
    no_fund_reason: str | None  # a waiting period's reason
    wallet_first: bool | None = None  # None: the wallet does not pay; else before the payers or after
    offsite: str | None = None  # the kind of off-site care (rules/offsite.py); None: local


def eligibility(c: Claim, ctx: Context, treated_in: str | None = None) -> Eligible:
    """Everything that can reject a claim, before anything is locked or written: the
    patient registered and enrolled for the service year, the rules of the claim's bucket
    in force (a missing parameter names itself; off-site care, where `treated_in` is another
    pooling area, by the patient's registration), a resident's waiting period, the named
    payer bound that day, and which bound holders' accounts may pay, in paying order."""
    persons, enrolled, book, cache = ctx.persons, ctx.enrolled, ctx.book, ctx.cache
    p = persons.get(c.psn_no)
    if p is None:
        raise NotFound(_("psn_no: no person {psn_no} is registered").format(psn_no=mask(c.psn_no)))
    if c.year not in enrolled.get(c.psn_no, {}):
        raise Conflict(
            _("psn_no: {psn_no} is not enrolled for {year}; benefits need enrollment in the service year").format(
                psn_no=mask(c.psn_no), year=c.year
            )
        )
    offsite = offsite_kind(p.region, treated_in, ctx.registrations.get(c.psn_no, ()), c.service_date)
    key = (book.epoch(p.region, c.service_date), p.insutype, is_retired(p.psn_type), c.med_type, c.hosp_lv, c.dise_codg)
    key += (offsite,) if offsite else ()
    if key not in cache:
        try:
            cache[key] = rules_for(book, Patient(p.psn_no, p.insutype, p.psn_type, p.region), c, offsite)
        except LedgerError as e:
            cache[key] = e
    if isinstance(cache[key], LedgerError):
        raise cache[key]
    rules, no_fund_reason = cache[key], None
    if p.insutype == RESIDENT and rules.basic is not None:
        waiting = waiting_in(book, p.region, c.year, enrolled[c.psn_no], cache)
        if waiting is not None and c.service_date < waiting.ends:
            rules, no_fund_reason = ClaimRules(None, None, rules.used), waiting.reason
    active = [b for b in ctx.bindings.get(c.psn_no, ()) if is_active(b.bound_on, b.ended_on, c.service_date)]
    if c.mulaid_payer is not None:
        if c.mulaid_payer not in persons:
            raise NotFound(
                _("mulaid_payer: no person {mulaid_payer} is registered").format(mulaid_payer=mask(c.mulaid_payer))
            )
        active = [b for b in active if b.holder_psn_no == c.mulaid_payer]
        if not active:
            raise Conflict(
                _("mulaid_payer: {mulaid_payer} is not bound to the patient {psn_no} on {service_date}").format(
                    mulaid_payer=mask(c.mulaid_payer), psn_no=mask(c.psn_no), service_date=c.service_date
                )
            )
    payers = []
    if c.acct_used_flag == "1":
        for b in active:
            # The holder's account pays, so the holder's region says whether it may.
            allowed = book.get(
                ctx.holder_regions[b.holder_psn_no], c.service_date, "family.pays_relatives_personal_share"
            )
            if allowed.value:
                payers.append((b.id, b.holder_psn_no))
    wallet_first = None
    if c.acct_used_flag == "1" and c.psn_no in ctx.wallets:
        wallet_first = wallet_order(book, p.region, c.service_date, cache)
    return Eligible(rules, tuple(payers), no_fund_reason, wallet_first, offsite)


def wallet_order(book: PolicyBook, region: str, on: date, cache: dict) -> bool | None:
    """Whether the patient's wallet pays before their bound relatives' accounts (True) or
    after (False), by the patient's region's policy; None where the region has not enabled
    the wallet on the day (docs/wallet.md). Worked out once per set of files in force."""
    key = ("wallet", book.epoch(region, on))
    if key not in cache:
        enabled = book.find(region, on, "wallet.enabled_from")
        try:
            order = book.get(region, on, "wallet.pays_before_relatives").value if enabled else None
        except LedgerError as e:
            order = e
        cache[key] = (enabled.value if enabled else None, order)
    enabled_from, order = cache[key]
    if enabled_from is None or on < enabled_from:
        return None
    if isinstance(order, LedgerError):
        raise order
    return order


def waiting_in(
    book: PolicyBook, region: str, year: int, enrolled: dict[int, date | None], cache: dict
) -> WaitingPeriod | None:
    """The resident's waiting period in `year`; its parameters are read only when an
    enrollment could be late or broken, so an on-time, unbroken one needs none."""
    if enrolled[year] is None and broken_years(year, enrolled) == 0:
        return None
    key = ("waiting", region[:4], year)
    if key not in cache:
        jan1 = date(year, 1, 1)
        end = book.get(region, jan1, "resident.contribution.central_period.end").value
        if end.year != year:
            raise PolicyError(
                _(
                    "the central contribution period in force for region {region} on {jan1} ends {end}, not in {year}: load {year}'s resident.contribution.central_period.end to judge whether an enrollment for {year} was late"
                ).format(region=pooling_area(region), jan1=jan1, end=end, year=year)
            )
        cache[key] = (
            end,
            book.get(region, jan1, "resident.waiting_period.fixed_months").value,
            book.get(region, jan1, "resident.waiting_period.months_per_broken_year").value,
        )
    end, fixed, per_year = cache[key]
    return waiting_period(year, enrolled, end, fixed, per_year)
