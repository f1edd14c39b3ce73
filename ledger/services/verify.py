"""`ledger verify`: the books must agree with themselves. Set-based queries, so it scales.

The database already refuses most of what is checked here (CHECK constraints, unique keys,
append-only triggers). Verify checks again from the rows themselves, so that a restored
backup, a hand-edited table or a constraint someone dropped is caught, and it checks what
no single-row constraint can: sums across tables and periods across rows."""

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from ..db import chain
from ..db.models import (
    Account,
    BenefitUsage,
    ClaimMutualAid,
    ClaimRecord,
    ClaimReversal,
    ClaimSource,
    ContributionPayment,
    Enrollment,
    Entry,
    Posting,
)
from ..db.sql import sum_fen
from ..rules.codes import OTHER_FUNDS
from ..rules.idcard import mask
from ..rules.money import format_fen
from ..uow import UnitOfWork
from .verify_bindings import binding_problems
from .verify_chain import chain_problems
from .verify_rollups import rollup_problems


def verify(uow: UnitOfWork, expect_heads: dict[str, tuple[int, str]] | None = None) -> dict:
    """Every check of the books. `expect_heads` (chain -> (id, hash)): heads an auditor
    noted earlier (`ledger verify --head`), each of which the chains must still reach."""
    with uow.read_only():
        return check(uow.session, expect_heads)


def heads(uow: UnitOfWork) -> dict:
    """The head of each hash chain: its last id and hash, to note and check later."""
    with uow.read_only():
        return {name: {"id": last_id, "hash": h} for name, (last_id, h) in sorted(chain.heads(uow.session).items())}


def check(s: Session, expect_heads: dict[str, tuple[int, str]] | None = None) -> dict:
    """Every check, in the caller's transaction."""
    problems: list[str] = chain_problems(s, expect_heads)
    journal = (
        select(Entry.account_id, sum_fen(Entry.amount).label("total"))
        .where(Entry.account_id.is_not(None))
        .group_by(Entry.account_id)
        .subquery()
    )
    rows = s.execute(
        select(Account.psn_no, Account.balance, func.coalesce(journal.c.total, 0))
        .outerjoin(journal, journal.c.account_id == Account.id)
        .where(Account.balance != func.coalesce(journal.c.total, 0))
    )
    for psn_no, balance, total in rows:
        problems.append(
            f"account of {mask(psn_no)}: balance {format_fen(balance)} but its journal entries sum to {format_fen(total)}"
        )
    for posting_id, total in s.execute(
        select(Entry.posting_id, sum_fen(Entry.amount)).group_by(Entry.posting_id).having(func.sum(Entry.amount) != 0)
    ):
        problems.append(f"posting {posting_id}: entries sum to {format_fen(total)}, not 0")
    for psn_no, balance in s.execute(select(Account.psn_no, Account.balance).where(Account.balance < 0)):
        problems.append(f"account of {mask(psn_no)}: balance {format_fen(balance)} is below zero")
    for (posting_id,) in s.execute(
        select(Posting.id).outerjoin(Entry, Entry.posting_id == Posting.id).where(Entry.id.is_(None))
    ):
        problems.append(f"posting {posting_id}: has no entries")
    missing_enrollment = (
        select(ContributionPayment.member_psn_no, ContributionPayment.year)
        .outerjoin(
            Enrollment,
            (Enrollment.psn_no == ContributionPayment.member_psn_no) & (Enrollment.year == ContributionPayment.year),
        )
        .where(Enrollment.id.is_(None))
    )
    for psn_no, year in s.execute(missing_enrollment):
        problems.append(f"contribution of {mask(psn_no)} for {year}: paid but the member is not enrolled for {year}")
    collected = (
        select(ContributionPayment.id, ContributionPayment.amount, sum_fen(Entry.amount))
        .outerjoin(
            Entry, (Entry.posting_id == ContributionPayment.posting_id) & (Entry.book == "contribution_collection")
        )
        .group_by(ContributionPayment.id, ContributionPayment.amount)
        .having(ContributionPayment.amount != func.coalesce(func.sum(Entry.amount), 0))
    )
    for payment_id, amount, total in s.execute(collected):
        problems.append(
            f"contribution payment {payment_id}: {format_fen(amount)} recorded but its posting collects {format_fen(total)}"
        )
    problems += _usage_problems(s)
    problems += _claim_problems(s)
    problems += _reversal_problems(s)
    problems += binding_problems(s) + rollup_problems(s)
    counts = {
        "accounts": s.scalar(select(func.count()).select_from(Account)),
        "postings": s.scalar(select(func.count()).select_from(Posting)),
        "entries": s.scalar(select(func.count()).select_from(Entry)),
    }
    return {"ok": not problems, "problems": problems, "checked": counts}


def _usage_problems(s) -> list[str]:
    """Each usage counter equals what its claims (not reversed) put in it, and keeps
    within its cap (the CHECK guarantees the cap; this also catches a counter that drifted
    from its claims)."""
    live = (
        select(ClaimRecord)
        .outerjoin(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id)
        .where(ClaimReversal.id.is_(None))
        .subquery()
    )
    expected: dict[tuple, list[int]] = {}
    basic = select(
        live.c.psn_no, live.c.year, live.c.bucket, sum_fen(live.c.hifp_pay), sum_fen(live.c.act_pay_dedc), func.count()
    ).where(live.c.bucket.is_not(None))
    for psn, year, bucket, fund, dedc, _ in s.execute(basic.group_by(live.c.psn_no, live.c.year, live.c.bucket)):
        expected[(psn, year, bucket)] = [fund, dedc, 0]
    layer = select(
        live.c.psn_no,
        live.c.year,
        live.c.layer_bucket,
        sum_fen(live.c.hifmi_pay + live.c.hifob_pay),
        sum_fen(live.c.layer_selfpay),
        func.count(),
    ).where(live.c.layer_bucket.is_not(None))
    for psn, year, bucket, fund, selfpay, _ in s.execute(
        layer.group_by(live.c.psn_no, live.c.year, live.c.layer_bucket)
    ):
        expected[(psn, year, bucket)] = [fund, 0, selfpay]
    combined = select(
        live.c.psn_no, live.c.year, live.c.combined_bucket, sum_fen(live.c.hifp_pay + live.c.hifob_pay)
    ).where(live.c.combined_bucket.is_not(None))
    for psn, year, bucket, fund in s.execute(combined.group_by(live.c.psn_no, live.c.year, live.c.combined_bucket)):
        expected[(psn, year, bucket)] = [fund, 0, 0]
    problems = []
    for u in s.execute(
        select(
            BenefitUsage.psn_no,
            BenefitUsage.year,
            BenefitUsage.bucket,
            BenefitUsage.cap,
            BenefitUsage.fund_paid,
            BenefitUsage.deductible_met,
            BenefitUsage.selfpay,
        )
    ):
        want = expected.pop((u.psn_no, u.year, u.bucket), [0, 0, 0])
        if [u.fund_paid, u.deductible_met, u.selfpay] != want:
            problems.append(
                f"usage of {mask(u.psn_no)} {u.year} {u.bucket}: fund paid {format_fen(u.fund_paid)}, deductible met {format_fen(u.deductible_met)}, "
                f"self-pay {format_fen(u.selfpay)}; its claims give {format_fen(want[0])}, {format_fen(want[1])}, {format_fen(want[2])}"
            )
        if u.fund_paid > u.cap:
            problems.append(
                f"usage of {mask(u.psn_no)} {u.year} {u.bucket}: fund paid {format_fen(u.fund_paid)} exceeds the cap {format_fen(u.cap)}"
            )
    for (psn, year, bucket), _ in sorted(expected.items()):
        problems.append(f"usage of {mask(psn)} {year} {bucket}: claims were posted but there is no counter")
    return problems


def _claim_problems(s) -> list[str]:
    """docs/claims.md, step 7 on every claim, and the claim against its own journal posting."""
    c = ClaimRecord
    problems = []
    sums = (
        ("medfee_sumamt = fund_pay_sumamt + psn_part_amt", c.medfee_sumamt != c.fund_pay_sumamt + c.psn_part_amt),
        (
            "fund_pay_sumamt = hifp_pay + hifmi_pay + hifob_pay",
            c.fund_pay_sumamt != c.hifp_pay + c.hifmi_pay + c.hifob_pay,
        ),
        (
            "psn_part_amt = acct_pay + acct_mulaid_pay + other_funds_pay + psn_cash_pay",
            c.psn_part_amt != c.acct_pay + c.acct_mulaid_pay + c.other_funds_pay + c.psn_cash_pay,
        ),
        (
            "inscp_scp_amt = medfee_sumamt - fulamt_ownpay_amt - overlmt_selfpay - preselfpay_amt",
            c.inscp_scp_amt != c.medfee_sumamt - c.fulamt_ownpay_amt - c.overlmt_selfpay - c.preselfpay_amt,
        ),
        (
            "no amount below zero",
            or_(
                *(
                    col < 0
                    for col in (
                        c.hifp_pay,
                        c.hifmi_pay,
                        c.hifob_pay,
                        c.act_pay_dedc,
                        c.acct_pay,
                        c.acct_mulaid_pay,
                        c.psn_cash_pay,
                        c.other_funds_pay,
                    )
                )
            ),
        ),
    )
    # One pass over the claims, a flag per rule; reported rule by rule.
    flags = [case((broken, 1), else_=0) for _, broken in sums]
    bad = s.execute(select(c.setl_id, *flags).where(or_(*(broken for _, broken in sums))).order_by(c.setl_id)).all()
    for n, (rule, _) in enumerate(sums, 1):
        problems += [f"claim {row[0]}: does not satisfy {rule}" for row in bad if row[n]]
    return problems + _claim_posting_problems(s) + _claim_payer_problems(s) + _claim_source_problems(s)


def _claim_source_problems(s) -> list[str]:
    """A claim posted from a platform record: its other funds, one by one, add up to what
    the claim says they paid together."""
    c, src = ClaimRecord, ClaimSource
    together = sum((getattr(src, f) for f in OTHER_FUNDS), literal(0))
    q = (
        select(c.setl_id, c.other_funds_pay, together)
        .join(src, src.claim_id == c.id)
        .where(c.other_funds_pay != together)
    )
    return [
        f"claim {setl_id}: its source gives other funds {format_fen(given)}, the claim says {format_fen(claimed)}"
        for setl_id, claimed, given in s.execute(q.order_by(c.setl_id))
    ]


def _claim_posting_problems(s) -> list[str]:
    """What each book of the claim's posting received, beside what the claim says it paid."""
    c, e = ClaimRecord, Entry
    problems = []
    own = and_(e.book == "personal_account", e.psn_no == c.psn_no)
    others = and_(e.book == "personal_account", e.psn_no != c.psn_no)

    def book_sum(condition):
        return sum_fen(case((condition, e.amount), else_=literal(0)))

    legs = (
        ("provider", book_sum(e.book == "provider"), c.medfee_sumamt),
        ("pooled_fund", -book_sum(e.book == "pooled_fund"), c.hifp_pay),
        (
            "second-layer funds",
            -book_sum(e.book.in_(("major_illness_insurance", "large_expense_subsidy"))),
            c.hifmi_pay + c.hifob_pay,
        ),
        ("own account", -book_sum(own), c.acct_pay),
        ("relatives' accounts", -book_sum(others), c.acct_mulaid_pay),
        ("other funds", -book_sum(e.book.in_(tuple(OTHER_FUNDS.values()))), c.other_funds_pay),
        ("patient_cash", -book_sum(e.book == "patient_cash"), c.psn_cash_pay),
    )
    cols = [x for _, journal, claimed in legs for x in (journal.label(None), claimed)]
    q = (
        select(c.setl_id, *cols)
        .join(e, e.posting_id == c.posting_id)
        .group_by(c.id, c.setl_id, *(claimed for _, _, claimed in legs))
    )
    q = q.having(or_(*(journal != claimed for _, journal, claimed in legs))).order_by(c.setl_id)
    for setl_id, *figures in s.execute(q):
        for (name, _, _), journal, claimed in zip(legs, figures[::2], figures[1::2], strict=True):
            if journal != claimed:
                problems.append(
                    f"claim {setl_id}: its journal posting gives {name} {format_fen(journal)}, the claim says {format_fen(claimed)}"
                )
    return problems


def _claim_payer_problems(s) -> list[str]:
    """acct_mulaid_pay is what the claim's payers paid, together."""
    c = ClaimRecord
    problems = []
    paid_by_payers = (
        select(ClaimMutualAid.claim_id, sum_fen(ClaimMutualAid.amount).label("paid"))
        .group_by(ClaimMutualAid.claim_id)
        .subquery()
    )
    q = (
        select(c.setl_id, c.acct_mulaid_pay, func.coalesce(paid_by_payers.c.paid, 0))
        .outerjoin(paid_by_payers, paid_by_payers.c.claim_id == c.id)
        .where(c.acct_mulaid_pay != func.coalesce(paid_by_payers.c.paid, 0))
        .order_by(c.setl_id)
    )
    for setl_id, claimed, paid in s.execute(q):
        problems.append(
            f"claim {setl_id}: acct_mulaid_pay {format_fen(claimed)} but its payers paid {format_fen(paid)}"
        )
    return problems


def _reversal_problems(s) -> list[str]:
    """A claim is reversed at most once, and a reversal's posting undoes exactly the
    claim's: per book and account, the two postings sum to zero."""
    problems = []
    for setl_id, n in s.execute(
        select(ClaimRecord.setl_id, func.count())
        .join(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id)
        .group_by(ClaimRecord.setl_id)
        .having(func.count() > 1)
    ):
        problems.append(f"claim {setl_id}: reversed {n} times")
    # The claim's posting and its reversal's, side by side per reversal (a union rather
    # than an OR in the join, so each half walks the entries' posting index).
    pair = (
        select(ClaimReversal.id.label("reversal"), ClaimRecord.setl_id, ClaimRecord.posting_id)
        .join(ClaimRecord, ClaimRecord.id == ClaimReversal.claim_id)
        .union_all(
            select(ClaimReversal.id, ClaimRecord.setl_id, ClaimReversal.posting_id).join(
                ClaimRecord, ClaimRecord.id == ClaimReversal.claim_id
            )
        )
        .subquery()
    )
    both = (
        select(pair.c.setl_id, Entry.book, Entry.psn_no, sum_fen(Entry.amount))
        .join(Entry, Entry.posting_id == pair.c.posting_id)
        .group_by(pair.c.setl_id, pair.c.reversal, Entry.book, Entry.psn_no, Entry.account_id)
        .having(func.sum(Entry.amount) != 0)
        .order_by(pair.c.setl_id, Entry.book)
    )
    for setl_id, book, psn_no, left in s.execute(both):
        problems.append(
            f"reversal of claim {setl_id}: {book} of {mask(psn_no)} is left at {format_fen(left)} after the claim and its reversal, not 0.00"
        )
    return problems
