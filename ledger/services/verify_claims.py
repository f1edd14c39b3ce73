"""`ledger verify`, the claims: each adds up (docs/claims.md, step 7) and agrees with its
journal posting, its payers and its platform record; each reversal undoes its claim exactly,
once."""

from sqlalchemy import and_, case, func, literal, or_, select, text

from ..db.models import ClaimMutualAid, ClaimRecord, ClaimReversal, ClaimSource, Entry
from ..db.sql import sum_fen
from ..i18n import N_, _
from ..rules.claim_sums import AMOUNTS_IN_RANGE, IDENTITIES, SHARES_NOT_NEGATIVE
from ..rules.codes import OTHER_FUNDS
from ..rules.idcard import mask
from ..rules.money import format_fen
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope


def claim_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    """docs/claims.md, step 7 on every claim (since a mark: every claim posted after it),
    and the claim against its own journal posting, its payers and its platform record."""
    c = ClaimRecord
    problems = []
    # the rules as a person reads them in the problem (a formula is its own translation)
    sums = [(i.formula, i.broken(c)) for i in IDENTITIES]
    in_range = f"{AMOUNTS_IN_RANGE} AND {SHARES_NOT_NEGATIVE}"  # the CHECKs' own words
    sums.append((in_range, text(f"NOT ({in_range})")))
    # One pass over the claims, a flag per rule; reported rule by rule.
    flags = [case((broken, 1), else_=0) for _rule, broken in sums]
    broken_any = or_(*(broken for _rule, broken in sums))
    bad = by_claim(s.execute(select(c.setl_id, *flags).where(broken_any, scope.after(c.posting_id))))
    for n, (rule, _broken) in enumerate(sums, 1):
        problems += [
            problem(
                "claim_does_not_add_up",
                "claims",
                row[0],
                "claim {setl_id}: does not satisfy {rule}",
                setl_id=row[0],
                rule=rule,
            )
            for row in bad
            if row[n]
        ]
    return problems + _posting_problems(s, scope) + _payer_problems(s, scope) + _source_problems(s, scope)


def _source_problems(s, scope: Scope) -> list[Problem]:
    """A claim posted from a platform record: its other funds, one by one, add up to what
    the claim says they paid together."""
    c, src = ClaimRecord, ClaimSource
    together = sum((getattr(src, f) for f in OTHER_FUNDS), literal(0))
    q = (
        select(c.setl_id, c.other_funds_pay, together)
        .join(src, src.claim_id == c.id)
        .where(c.other_funds_pay != together, scope.after(c.posting_id))
    )
    return [
        problem(
            "claim_source_differs",
            "claims",
            setl_id,
            "claim {setl_id}: its source gives other funds {given}, the claim says {claimed}",
            setl_id=setl_id,
            given=format_fen(given),
            claimed=format_fen(claimed),
        )
        for setl_id, claimed, given in by_claim(s.execute(q))
    ]


def _posting_problems(s, scope: Scope) -> list[Problem]:
    """What each book of the claim's posting received, beside what the claim says it paid."""
    c, e = ClaimRecord, Entry
    problems = []
    own = and_(e.book == "personal_account", e.psn_no == c.psn_no)
    others = and_(e.book == "personal_account", e.psn_no != c.psn_no)

    def book_sum(condition):
        return sum_fen(case((condition, e.amount), else_=literal(0)))

    legs = (
        (N_("provider"), book_sum(e.book == "provider"), c.medfee_sumamt),
        (N_("pooled_fund"), -book_sum(e.book == "pooled_fund"), c.hifp_pay),
        (
            N_("second-layer funds"),
            -book_sum(e.book.in_(("major_illness_insurance", "large_expense_subsidy"))),
            c.hifmi_pay + c.hifob_pay,
        ),
        (N_("own account"), -book_sum(own), c.acct_pay),
        (N_("wallet"), -book_sum(and_(e.book == "wallet", e.psn_no == c.psn_no)), c.wallet_pay),
        (N_("relatives' accounts"), -book_sum(others), c.acct_mulaid_pay),
        (N_("other funds"), -book_sum(e.book.in_(tuple(OTHER_FUNDS.values()))), c.other_funds_pay),
        (N_("patient_cash"), -book_sum(e.book == "patient_cash"), c.psn_cash_pay),
    )
    cols = [x for _name, journal, claimed in legs for x in (journal.label(None), claimed)]
    q = (
        select(c.setl_id, *cols)
        .join(e, e.posting_id == c.posting_id)
        .where(scope.after(c.posting_id))
        .group_by(c.id, c.setl_id, *(claimed for _name, _journal, claimed in legs))
    )
    q = q.having(or_(*(journal != claimed for _name, journal, claimed in legs)))
    for setl_id, *figures in by_claim(s.execute(q)):
        for (name, _j, _c), journal, claimed in zip(legs, figures[::2], figures[1::2], strict=True):
            if journal != claimed:
                problems.append(
                    problem(
                        "claim_posting_differs",
                        "claims",
                        setl_id,
                        "claim {setl_id}: its journal posting gives {field} {journal}, the claim says {claimed}",
                        setl_id=setl_id,
                        field=_(name),
                        journal=format_fen(journal),
                        claimed=format_fen(claimed),
                    )
                )
    return problems


def _payer_problems(s, scope: Scope) -> list[Problem]:
    """acct_mulaid_pay is what the claim's payers paid, together."""
    c = ClaimRecord
    problems = []
    paid_by_payers = select(ClaimMutualAid.claim_id, sum_fen(ClaimMutualAid.amount).label("paid"))
    if not scope.whole:  # only the payers of the claims in scope are added up
        recent = select(c.id).where(scope.after(c.posting_id)).correlate(None)
        paid_by_payers = paid_by_payers.where(ClaimMutualAid.claim_id.in_(recent))
    paid_by_payers = paid_by_payers.group_by(ClaimMutualAid.claim_id).subquery()
    q = (
        select(c.setl_id, c.acct_mulaid_pay, func.coalesce(paid_by_payers.c.paid, 0))
        .outerjoin(paid_by_payers, paid_by_payers.c.claim_id == c.id)
        .where(c.acct_mulaid_pay != func.coalesce(paid_by_payers.c.paid, 0), scope.after(c.posting_id))
    )
    for setl_id, claimed, paid in by_claim(s.execute(q)):
        problems.append(
            problem(
                "claim_payers_differ",
                "claims",
                setl_id,
                "claim {setl_id}: acct_mulaid_pay {claimed} but its payers paid {paid}",
                setl_id=setl_id,
                claimed=format_fen(claimed),
                paid=format_fen(paid),
            )
        )
    return problems


def reversal_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    """A claim is reversed at most once, and a reversal's posting undoes exactly the
    claim's: per book and account, the two postings sum to zero (since a mark: the
    reversals posted after it)."""
    recent = select(ClaimReversal.claim_id).where(scope.after(ClaimReversal.posting_id)).correlate(None)
    problems = []
    for setl_id, n in s.execute(
        select(ClaimRecord.setl_id, func.count())
        .join(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id)
        .where(ClaimRecord.id.in_(recent))
        .group_by(ClaimRecord.setl_id)
        .having(func.count() > 1)
    ):
        problems.append(
            problem(
                "claim_reversed_twice",
                "claim_reversals",
                setl_id,
                "claim {setl_id}: reversed {n} times",
                setl_id=setl_id,
                n=n,
            )
        )
    # The claim's posting and its reversal's, side by side per reversal (a union rather
    # than an OR in the join, so each half walks the entries' posting index).
    pair = (
        select(ClaimReversal.id.label("reversal"), ClaimRecord.setl_id, ClaimRecord.posting_id)
        .join(ClaimRecord, ClaimRecord.id == ClaimReversal.claim_id)
        .where(scope.after(ClaimReversal.posting_id))
        .union_all(
            select(ClaimReversal.id, ClaimRecord.setl_id, ClaimReversal.posting_id)
            .join(ClaimRecord, ClaimRecord.id == ClaimReversal.claim_id)
            .where(scope.after(ClaimReversal.posting_id))
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
            problem(
                "reversal_not_exact",
                "claim_reversals",
                setl_id,
                "reversal of claim {setl_id}: {book} of {psn} is left at {left} after the claim and its reversal, not 0.00",
                setl_id=setl_id,
                book=book,
                psn=mask(psn_no),
                left=format_fen(left),
            )
        )
    return problems


def by_claim(rows) -> list:
    """Rows whose first column is a setl_id, in setl_id order. Sorted here, not by the
    database: the problems are few, and an ORDER BY setl_id would make SQLite walk every
    claim by that index even when only the claims after a mark are asked for."""
    return sorted(rows, key=lambda r: r[0])
