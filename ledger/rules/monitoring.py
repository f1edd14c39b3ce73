"""智能监控: the rules that flag suspect settlements, and what a finding is. Pure: the
queries that find them are in services/monitor_*.py.

A finding follows the shape of the national platform's detail-audit result (明细审核
事前/事中分析服务 3101/3102, 输出-违规信息; docs/monitoring.md): `jr_id` 违规标识, `rule_id`
规则ID, `rule_name` 规则名称, `vola_cont` 违规内容, `patn_id` 参保人ID, `vola_amt` 违规金额,
`sev_deg` 严重程度, `vola_evid` 违规依据, `vola_bhvr_type` 违规行为分类; the ledger adds the
claims (`setl_ids`) and people (`psn_nos`) it is about.

The amount at risk is what the funds and the personal accounts paid (fund_pay_sumamt +
acct_pay + acct_mulaid_pay): the insurance's money, not the patient's cash."""

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from ..i18n import N_, _

# 严重程度: a clear violation of a rule the books keep; highly suspect; worth a look.
VIOLATION, HIGH, SUSPECT = "violation", "high", "suspect"
# 违规行为分类: the risks the Songyuan document names for the fund (fictitious services,
# over-treatment, cashing out accounts), and payments or records the rules forbid outright.
FICTITIOUS, OVER_TREATMENT, CASHING_OUT, IMPROPER_PAYMENT, RECORD_ERROR = (
    "fictitious_service",
    "over_treatment",
    "cashing_out",
    "improper_payment",
    "record_error",
)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # N_: said in the run's language
    severity: str
    behaviour: str
    basis: str  # N_: what the rule holds, with {threshold} fields
    evidence: tuple[str, ...]  # N_: the sentences a finding may say (its `form`), with {figure} fields
    # (its name in `basis`, the policy parameter that gives it): what it needs (monitor.*);
    # none: it always runs
    thresholds: tuple[tuple[str, str], ...] = ()
    optional: tuple[str, ...] = ()  # of those, the ones it runs without (that half is then not judged)
    needs_one_of: tuple[str, ...] = ()  # of the optional ones, at least one must be given

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(p for _name, p in self.thresholds)


RULES = {
    r.id: r
    for r in (
        Rule(
            "R01",
            N_("settlement after death"),
            VIOLATION,
            FICTITIOUS,
            N_("no settlement may be dated after the person's recorded death"),
            (N_("settled on {service_date}, {days} days after the death recorded on {died_on}"),),
        ),
        Rule(
            "R02",
            N_("fund paid inside a waiting period"),
            VIOLATION,
            IMPROPER_PAYMENT,
            N_("the funds pay nothing for services inside a resident's waiting period"),
            (N_("the funds paid {fund} on {service_date}, inside the waiting period that ends {ends}"),),
        ),
        Rule(
            "R03",
            N_("duplicate settlement"),
            HIGH,
            FICTITIOUS,
            N_("one person, institution, day and amount settled once"),
            (N_("{count} settlements of {amount} on {service_date} at {institution}"),),
        ),
        Rule(
            "R04",
            N_("overlapping inpatient stays"),
            VIOLATION,
            FICTITIOUS,
            N_("a person is in one hospital at a time"),
            (N_("inpatient stays {first_from} to {first_to} and {second_from} to {second_to} overlap"),),
        ),
        Rule(
            "R05",
            N_("outpatient settlement during an inpatient stay"),
            HIGH,
            FICTITIOUS,
            N_("no outpatient settlement between an inpatient's admission and discharge"),
            (N_("outpatient settlement on {service_date} during the inpatient stay {stay_from} to {stay_to}"),),
        ),
        Rule(
            "R06",
            N_("readmission soon after discharge"),
            SUSPECT,
            OVER_TREATMENT,
            N_("a readmission at the same institution within {days} days of discharge"),
            (N_("readmitted at {institution} on {admitted}, {days} days after the discharge of {discharged}"),),
            (("days", "monitor.readmission.days"),),
        ),
        Rule(
            "R07",
            N_("visit frequency"),
            SUSPECT,
            OVER_TREATMENT,
            N_("at most {settlements} outpatient settlements, at most {institutions} institutions, in {window} days"),
            (N_("{count} outpatient settlements at {institutions} institutions from {start} to {end}"),),
            (
                ("window", "monitor.visits.window_days"),
                ("settlements", "monitor.visits.max_settlements"),
                ("institutions", "monitor.visits.max_institutions"),
            ),
            ("settlements", "institutions"),
            ("settlements", "institutions"),
        ),
        Rule(
            "R08",
            N_("pharmacy hopping"),
            SUSPECT,
            CASHING_OUT,
            N_("at most {pharmacies} designated pharmacies in a day"),
            (N_("settlements at {pharmacies} designated pharmacies on {service_date}"),),
            (("pharmacies", "monitor.pharmacies.max_per_day"),),
        ),
        Rule(
            "R09",
            N_("settlements too close at two institutions"),
            HIGH,
            FICTITIOUS,
            N_("settlements at two institutions at least {minutes} minutes apart"),
            (N_("settled at {first_institution} at {first_time} and at {second_institution} at {second_time}, {minutes} minutes apart"),),
            (("minutes", "monitor.distance.min_minutes"),),
        ),
        Rule(
            "R10",
            N_("mutual aid out of bounds"),
            HIGH,
            CASHING_OUT,
            N_("a holder's account pays for at most {members} members a month, each under a binding active that day"),
            (
                N_("the account of {holder} paid for {members} members in {month}"),
                N_("the account of {holder} paid for {member} on {day} under binding {binding}, not active for them that day"),
            ),
            (("members", "monitor.mutual_aid.max_members_per_month"),),
            ("members",),  # the unbound payments are judged without it
        ),
        Rule(
            "R11",
            N_("year-end drain of a personal account"),
            SUSPECT,
            CASHING_OUT,
            N_("December pharmacy purchases from the account at most {times} times the monthly mean, unless it keeps more than {left}"),
            (N_("pharmacy purchases of {december} from the account in December of {year}, {times} times the monthly mean of {mean}; {left} left at the year's end"),),
            (("times", "monitor.year_end_drain.times_monthly_mean"), ("left", "monitor.year_end_drain.left_at_most")),
        ),
        Rule(
            "R12",
            N_("claim that does not add up"),
            VIOLATION,
            RECORD_ERROR,
            N_("every claim adds up (fee = fund + personal share; fund = its parts; personal share = accounts + wallet + other funds + cash)"),
            (N_("the claim does not satisfy {rule}"),),
        ),
    )
}  # fmt: skip
# The severities and behaviours as a table says them (N_: the codes are what JSON keeps).
WORDS = (
    N_("violation"), N_("high"), N_("suspect"),
    N_("fictitious_service"), N_("over_treatment"), N_("cashing_out"), N_("improper_payment"), N_("record_error"),
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """What a rule found: the claims and people it is about, the amount at risk (fen), the
    figures its sentence says, and `about`, what else tells it apart (a person's window of
    days, a holder's month)."""

    rule_id: str
    patn_id: str
    setl_ids: tuple[str, ...]
    amount: int
    evidence: dict = field(default_factory=dict)
    psn_nos: tuple[str, ...] = ()
    about: str = ""
    form: int = 0  # which of the rule's sentences it says

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.patn_id, *self.psn_nos)))

    @cached_property  # read for sorting, saving and showing: a run may find 100,000s
    def jr_id(self) -> str:
        """The finding's identity, the same in every run that sees the same thing: the rule,
        what it is about, and its claims and people."""
        # unit and record separators: no setl_id or psn_no holds a control character
        parts = (self.rule_id, self.about, "\x1f".join(sorted(self.setl_ids)), "\x1f".join(sorted(self.people)))
        key = "\x1e".join(parts)
        return f"{self.rule_id}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"

    def sentence(self) -> str:
        """The evidence in one sentence, in the run's language."""
        return _(self.rule.evidence[self.form]).format(**self.evidence)


def basis(rule: Rule, thresholds: dict) -> str:
    """What the rule holds, with the thresholds in force, in the run's language."""
    return _(rule.basis).format(**thresholds)
