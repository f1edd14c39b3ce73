"""`ledger verify`, the copied dates and the settlement-id registry (migration 0019).

A row that refers to a journal posting or a claim carries that row's date, which
PostgreSQL partitions by (docs/scale.md, "Partitions by year"). There a foreign key on (id,
date) holds each copy to its row; SQLite keeps the keys on the id alone, so here each copy
is checked against the row it was copied from. On PostgreSQL every claim's `setl_id` must be
in the registry that keeps it unique across the years, naming that claim (a load with the
triggers set aside could leave it out)."""

from sqlalchemy import column, or_, select, table

from ..db.models import (
    ClaimMutualAid,
    ClaimRecord,
    ClaimReversal,
    ClaimSource,
    ContributionPayment,
    Entry,
    MonthlyCredit,
    Posting,
    YearEndDeduction,
)
from ..db.partitions import REGISTRY
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope

LIMIT = 10  # rows named per kind of copy: one wrong copy is as telling as a thousand


def date_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    if s.get_bind().dialect.name == "postgresql":
        return _registry_problems(s, scope)
    problems = []
    p, c = Posting, ClaimRecord
    copies = (
        # (table, the row's id, its date, the date it copies, the join, what it belongs to)
        ("journal_entries", Entry.id, Entry.effective_date, p.effective_date, Entry.posting_id == p.id, Entry.posting_id),
        ("claim_mulaid_payments", ClaimMutualAid.id, ClaimMutualAid.service_date, c.service_date,
         ClaimMutualAid.claim_id == c.id, c.posting_id),
        ("claim_reversals", ClaimReversal.id, ClaimReversal.service_date, c.service_date,
         ClaimReversal.claim_id == c.id, ClaimReversal.posting_id),
        ("claim_sources", ClaimSource.claim_id, ClaimSource.service_date, c.service_date,
         ClaimSource.claim_id == c.id, c.posting_id),
        ("monthly_credits", MonthlyCredit.id, MonthlyCredit.posted_on, p.effective_date,
         MonthlyCredit.posting_id == p.id, MonthlyCredit.posting_id),
        ("year_end_deductions", YearEndDeduction.id, YearEndDeduction.posted_on, p.effective_date,
         YearEndDeduction.posting_id == p.id, YearEndDeduction.posting_id),
        ("contribution_payments", ContributionPayment.id, ContributionPayment.paid_on, p.effective_date,
         ContributionPayment.posting_id == p.id, ContributionPayment.posting_id),
    )  # fmt: skip
    for name, row_id, copy, original, joined, posting in copies:
        rows = s.execute(
            select(row_id, copy, original)
            .join_from(row_id.table, original.table, joined)
            .where(copy != original, scope.after(posting))
            .order_by(row_id)
            .limit(LIMIT)
        )
        for rid, copied, right in rows:
            problems.append(
                problem(
                    "date_copy_differs",
                    name,
                    rid,
                    "{table} {id}: dated {copied}, but the row it belongs to is dated {right}",
                    table=name,
                    id=rid,
                    copied=copied,
                    right=right,
                )
            )
    return problems


def _registry_problems(s, scope: Scope) -> list[Problem]:
    c = ClaimRecord
    r = table(REGISTRY, column("setl_id"), column("claim_id"), column("service_date"))
    rows = s.execute(
        select(c.setl_id)
        .outerjoin(r, r.c.setl_id == c.setl_id)
        .where(
            or_(r.c.claim_id.is_(None), r.c.claim_id != c.id, r.c.service_date != c.service_date),
            scope.after(c.posting_id),
        )
        .order_by(c.setl_id)
        .limit(LIMIT)
    )
    return [
        problem(
            "setl_id_unregistered",
            "claims",
            setl_id,
            "claim {setl_id}: not in the settlement-id registry (claim_setl_ids) as itself",
            setl_id=setl_id,
        )
        for (setl_id,) in rows
    ]
