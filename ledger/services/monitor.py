"""`ledger monitor` (智能监控): the rules of rules/monitoring.py run over the settled claims
of a period, read-only; with `save`, the run and its new findings recorded; a reviewer's
verdict on a recorded finding, appended (docs/monitoring.md).

Each rule runs for each pooling area whose patients had claims in the period, with the
thresholds in force there on the period's last day (policy parameters `monitor.*`). A rule
whose threshold no file gives does not run there, and the result says which parameter is
missing: never a hidden default."""

from datetime import date

from sqlalchemy import func, insert, select

from ..db.models import ClaimRecord, FindingReview, MonitorFinding, MonitorRun, Person, utcnow
from ..db.retry import retried
from ..db.sql import one_of, report_settings, reserve_ids
from ..errors import NotFound, ValidationError
from ..i18n import _
from ..policy.book import PolicyBook
from ..rules.money import Yuan
from ..rules.monitoring import RULES, Finding, basis
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from . import archive
from . import monitor_claims as claims
from . import monitor_days as days
from . import monitor_patterns as patterns
from .policies import policy_book
from .records import audit


def monitor(
    uow: UnitOfWork,
    date_from: date,
    date_to: date,
    rule_ids: list[str] | None = None,
    *,
    save: bool = False,
    operator: str | None = None,
) -> dict:
    """Run the rules `rule_ids` (all, by default) over the claims served from `date_from`
    to `date_to`: each rule's state in each area, and every finding, each marked new
    (never saved before) and with its latest verdict. With `save`, the run and its new
    findings are recorded in one transaction."""
    if date_from > date_to:
        raise ValidationError(
            "--from", _("{date_from} is after --to {date_to}").format(date_from=date_from, date_to=date_to)
        )
    wanted = _rules(rule_ids)
    with uow.read_only(replica=True):
        s = uow.session
        archive.require_live(s, date_from, "--from")
        report_settings(s)
        states, findings = run_rules(s, date_from, date_to, wanted)
        saved, verdicts = _saved(s, [f.jr_id for f in findings])
    run_id = None
    new = [f for f in findings if f.jr_id not in saved]
    if save:
        run_id = _save(uow, operator, date_from, date_to, states, findings, new)
    return {
        "from": date_from,
        "to": date_to,
        "rules": states,
        "findings": [_view(f, f.jr_id not in saved, verdicts.get(f.jr_id)) for f in findings],
        "new": len(new),
        "run": run_id,
    }


def run_rules(s, date_from: date, date_to: date, wanted: list[str]) -> tuple[list[dict], list[Finding]]:
    """The rules `wanted`, in the caller's transaction: each rule's state in each area, and
    the findings, each once, in rule order. The areas where a rule has the same thresholds
    run it together, in one read of the claims; and R03, R07 and R09 first find together,
    in one pass, the people each may flag (monitor_days.py). An id that is no rule is refused."""
    if set(wanted) - RULES.keys():  # refused by name, or read as the rule ids they spell (r07)
        wanted = _rules(wanted)
    book = policy_book(s)
    areas = _areas(s, date_from, date_to)
    states, plans = [], {}
    for rule_id in wanted:
        together: dict[tuple, list[str]] = {}
        for area in areas:
            state, values = _state(book, area, date_to, rule_id)
            states.append(state)
            if values is not None:
                together.setdefault(tuple(sorted(values.items())), []).append(area)
        for values, group in together.items():
            w = claims.Window(date_from, date_to, tuple(group), everyone=len(group) == len(areas))
            plans.setdefault(w, {})[rule_id] = dict(values)
    found = {}
    for w, rules in plans.items():
        people = days.suspects(s, w, {r: v for r, v in rules.items() if r in days.RULES})
        for rule_id, values in rules.items():
            for f in FINDERS[rule_id](s, w, book, values, people.get(rule_id)):
                found.setdefault(f.jr_id, f)
    states.sort(key=lambda st: (st["area"], wanted.index(st["rule_id"])))  # area by area, as the CLI lists them
    return states, sorted(found.values(), key=lambda f: (f.rule_id, f.patn_id, f.setl_ids, f.jr_id))


def _rules(rule_ids: list[str] | None) -> list[str]:
    if not rule_ids:
        return list(RULES)
    unknown = [r for r in rule_ids if r.upper() not in RULES]
    if unknown:
        raise ValidationError(
            "--rule",
            _("{unknown}: no such rule; the rules are {rules}").format(
                unknown=", ".join(unknown), rules=", ".join(RULES)
            ),
        )
    return sorted({r.upper() for r in rule_ids})


def _areas(s, date_from: date, date_to: date) -> list[str]:
    """The pooling areas (220700) of the patients of the period's claims: of the areas the
    persons are of (a few), those with a claim in the period, each found by its first."""
    area = func.substr(Person.region, 1, 4)
    c = ClaimRecord
    found = []
    for prefix in sorted(s.scalars(select(area).distinct())):
        of_area = select(c.id).join(Person, Person.psn_no == c.psn_no)
        claim = of_area.where(area == prefix, c.service_date.between(date_from, date_to)).limit(1)
        if s.scalar(select(claim.exists())):
            found.append(f"{prefix}00")
    return found


def _state(book: PolicyBook, area: str, day: date, rule_id: str) -> tuple[dict, dict | None]:
    """One rule in one area: its state (the thresholds it runs with, or what it lacks) and
    those thresholds, or None if it does not run there."""
    rule = RULES[rule_id]
    names = dict(rule.thresholds)
    given = {k: book.find(area, day, p) for k, p in names.items()}
    values = {k: (r.value if r is not None else None) for k, r in given.items()}
    lacking = [names[k] for k, v in values.items() if v is None and k not in rule.optional]
    if rule.needs_one_of and all(values[k] is None for k in rule.needs_one_of):
        lacking += [names[k] for k in rule.needs_one_of]
    state = {"rule_id": rule_id, "rule_name": _(rule.name), "area": area, "ran": not lacking}
    if lacking:
        return state | {"missing": lacking}, None
    shown = {k: (Yuan(v) if k == "left" else ("-" if v is None else v)) for k, v in values.items()}
    state |= {"thresholds": {names[k]: shown[k] for k in names}, "basis": basis(rule, shown)}
    return state, values


# rule -> what finds its findings: (session, window, book, thresholds, people) -> findings.
# Every rule of rules/monitoring.RULES has one, and nothing else does (checked below).
FINDERS = {
    "R01": lambda s, w, book, v, people: claims.after_death(s, w),
    "R02": lambda s, w, book, v, people: claims.in_waiting_period(s, w, book),
    "R03": lambda s, w, book, v, people: claims.duplicates(s, w, people),
    "R04": lambda s, w, book, v, people: claims.overlapping_stays(s, w),
    "R05": lambda s, w, book, v, people: claims.outpatient_in_stay(s, w),
    "R06": lambda s, w, book, v, people: claims.readmissions(s, w, v["days"]),
    "R07": lambda s, w, book, v, people: patterns.visit_frequency(
        s, w, v["window"], v["settlements"], v["institutions"], people
    ),
    "R08": lambda s, w, book, v, people: patterns.pharmacy_hopping(s, w, v["pharmacies"]),
    "R09": lambda s, w, book, v, people: patterns.too_close(s, w, v["minutes"], people),
    "R10": lambda s, w, book, v, people: patterns.mutual_aid(s, w, v["members"]),
    "R11": lambda s, w, book, v, people: patterns.year_end_drain(s, w, v["times"], v["left"]),
    "R12": lambda s, w, book, v, people: claims.not_adding_up(s, w),
}
assert FINDERS.keys() == RULES.keys(), "every monitoring rule has its finder, and only they"


def _saved(s, jr_ids: list[str]) -> tuple[set[str], dict[str, str]]:
    """Of `jr_ids`, those saved before, and the latest verdict on each that has one."""
    if not jr_ids:
        return set(), {}
    f, r = MonitorFinding, FindingReview
    saved = dict(s.execute(select(f.jr_id, f.id).where(one_of(s, f.jr_id, jr_ids))).all())
    verdicts: dict[str, str] = {}
    if saved:
        ids = {v: k for k, v in saved.items()}
        for finding_id, verdict in s.execute(
            select(r.finding_id, r.verdict).where(one_of(s, r.finding_id, list(ids))).order_by(r.id)
        ):
            verdicts[ids[finding_id]] = verdict  # the newest stands
    return set(saved), verdicts


def _view(f: Finding, new: bool, verdict: str | None) -> dict:
    """A finding as scripts read it: the national detail-audit result's fields, in its
    order, then the ledger's own (docs/monitoring.md)."""
    rule = f.rule
    return {
        "jr_id": f.jr_id,
        "rule_id": f.rule_id,
        "rule_name": _(rule.name),
        "sev_deg": rule.severity,
        "vola_bhvr_type": rule.behaviour,
        "patn_id": f.patn_id,
        "psn_nos": list(f.people),
        "setl_ids": list(f.setl_ids),
        "vola_amt": Yuan(f.amount),
        "vola_cont": f.sentence(),
        "vola_evid": _(rule.basis),
        "new": new,
        "review": verdict,
    }


@retried
def _save(uow: UnitOfWork, operator, date_from, date_to, states, findings, new) -> int:
    """The run and its new findings, in one transaction (a finding another run saved in the
    meantime is left to it: the unique jr_id refuses a second, and the retry sees it)."""
    with uow:
        s = uow.session
        # rule@area -> the thresholds it ran with (as text), or the parameters it lacked
        rules = {
            f"{st['rule_id']}@{st['area']}": (
                {n: str(v) for n, v in st["thresholds"].items()} if st["ran"] else {"missing": st["missing"]}
            )
            for st in states
        }
        saved, _verdicts = _saved(s, [f.jr_id for f in new])
        new = [f for f in new if f.jr_id not in saved]
        [run_id] = reserve_ids(s, MonitorRun.__table__, 1)
        s.execute(
            insert(MonitorRun.__table__).values(
                id=run_id, at=utcnow(), operator=operator, date_from=date_from, date_to=date_to, rules=rules,
                findings=len(findings), new=len(new),
            )
        )  # fmt: skip
        if new:
            s.execute(
                insert(MonitorFinding.__table__),
                [
                    {
                        "jr_id": f.jr_id, "run_id": run_id, "rule_id": f.rule_id, "severity": f.rule.severity,
                        "patn_id": f.patn_id, "psn_nos": list(f.people), "setl_ids": list(f.setl_ids),
                        "amount": f.amount, "evidence": {k: str(v) for k, v in f.evidence.items()}, "created_at": utcnow(),
                    }
                    for f in new
                ],
            )  # fmt: skip
        audit(s, operator=operator, action="monitor.run", subject=None, run=run_id, new=len(new))
        uow.commit()
        return run_id


@retried
def review(uow: UnitOfWork, operator: str, jr_id: str, verdict: str, reason: str) -> dict:
    """A reviewer's verdict on a saved finding: `confirmed` or `dismissed`, with the reason.
    Appended: a later verdict stands over an earlier one, which stays on record."""
    if verdict not in ("confirmed", "dismissed"):
        raise ValidationError("verdict", _("must be confirmed or dismissed"))
    reason = check_text(reason, "reason", max_length=REASON_LENGTH)
    with uow:
        s = uow.session
        finding = s.scalar(select(MonitorFinding).where(MonitorFinding.jr_id == jr_id.strip()))
        if finding is None:
            raise NotFound(
                _("jr_id: no saved finding {jr_id}; `ledger monitor --save` records a run's findings").format(
                    jr_id=jr_id.strip()
                )
            )
        s.execute(
            insert(FindingReview.__table__).values(
                finding_id=finding.id, verdict=verdict, reason=reason, operator=operator, created_at=utcnow()
            )
        )
        audit(s, operator=operator, action=f"monitor.{verdict}", subject=finding.jr_id, reason=reason)
        uow.commit()
        return {"jr_id": finding.jr_id, "rule_id": finding.rule_id, "verdict": verdict, "reason": reason}
