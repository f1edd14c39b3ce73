"""The ledger against a plain-Python reference model, under random sequences of commands.

Hypothesis drives add, enroll, credit, bind, unbind, post, duplicate post, conflicting
post, reverse, rollover and the passing of days, with amounts biased to the edges (0.00,
0.01, the deductibles and caps and a fen either side, the largest accepted amount). After
every step the database and the model agree on every balance, every outpatient usage
counter and every claim, and `verify` is clean.

The model is written from the policy text, not from the code under test. Its numbers
(general outpatient, Songyuan, RULES.md §1; the resident figures are the test policy's,
tests/claim_policy.py):

    employee: deductible L1 200.00 / L2 300.00 / L3 400.00, annual cap 1000.00,
              in service 55 / 57 / 50 %, retired 57 / 60 / 55 %
    resident: deductible L1 50.00 / L2 100.00 / L3 200.00, annual cap 800.00, 60 / 55 / 50 %

    deductible owed = max(0, threshold(level) - deductible met this year), at most the fee
    fund = min(round half-up((fee - deductible owed) x ratio), cap - fund paid this year)
    the rest: own account first, then each holder bound to the patient on the service day
    (in the order the bindings were made), then cash

The run is short by default; `pytest --slow` runs many more and longer sequences.
"""

import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from ledger.db.engine import make_engine
from ledger.errors import LedgerError
from ledger.rules.money import format_fen
from ledger.services import accounts, claims, family, persons, policies, rollover
from ledger.services.verify import verify
from ledger.uow import UnitOfWork
from tests.claim_policy import CLAIM_POLICY
from tests.conftest import empty_postgres
from tests.ids import GRANDCHILD, RETIREE, SPOUSE, STUDENT, WORKER
from tests.policy_text import policy_text

# The contribution period for 2026, which the seed (2025) does not give: without it a
# resident's 2026 enrollment could not be judged on time or late.
PERIOD_2026 = policy_text({
    "resident.contribution.central_period.start": "2025-09-01",
    "resident.contribution.central_period.end": "2026-02-28",
}, effective_from="2026-01-01")  # fmt: skip
ON_TIME_FOR_2026 = date(2025, 12, 20)

# (psn_no, scheme, retired) in the order `add` registers them
POOL = [
    (WORKER, "employee", False),
    (STUDENT, "resident", False),
    (RETIREE, "employee", True),
    (SPOUSE, "employee", False),
    (GRANDCHILD, "resident", False),
]
RULES = {
    ("employee", False): ({1: 20000, 2: 30000, 3: 40000}, {1: "0.55", 2: "0.57", 3: "0.50"}, 100000),
    ("employee", True): ({1: 20000, 2: 30000, 3: 40000}, {1: "0.57", 2: "0.60", 3: "0.55"}, 100000),
    ("resident", False): ({1: 5000, 2: 10000, 3: 20000}, {1: "0.60", 2: "0.55", 3: "0.50"}, 80000),
}
EDGES = [0, 1, 5000, 10000, 20000, 30000, 40000, 80000, 100000]
AMOUNTS = st.one_of(
    st.sampled_from(sorted({max(0, e + d) for e in EDGES for d in (-1, 0, 1)} | {999_999_999_999})),
    st.integers(min_value=1, max_value=300_000),
).map(format_fen)


def half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Binding:
    holder: str
    member: str
    bound_on: date
    ended_on: date | None = None
    last_paid: date | None = None  # the latest service date the holder's account paid under it

    def active(self, day: date) -> bool:
        return self.bound_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass
class Model:
    today: date
    persons: dict[str, tuple[str, bool]] = field(default_factory=dict)
    enrolled: dict[str, set[int]] = field(default_factory=dict)
    balance: dict[str, int] = field(default_factory=dict)
    bindings: list[Binding] = field(default_factory=list)  # in the order they were made
    usage: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # fund paid, deductible met
    claims: dict[str, dict] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)

    def post(self, raw: dict) -> dict | None:
        """The claim's figures, or None if it must be rejected."""
        psn, fee, day, level = (
            raw["psn_no"],
            int(Decimal(raw["medfee_sumamt"]) * 100),
            date.fromisoformat(raw["service_date"]),
            int(raw["hosp_lv"]),
        )
        if psn not in self.persons or fee == 0 or day.year not in self.enrolled[psn]:
            return None
        thresholds, ratios, cap = RULES[self.persons[psn]]
        fund_paid, met = self.usage.get((psn, day.year), [0, 0])
        dedc = min(max(0, thresholds[level] - met), fee)
        hifp = min(half_up((fee - dedc) * Decimal(ratios[level])), cap - fund_paid)
        share = fee - hifp
        own = min(share, self.balance.get(psn, 0))
        left, payers, used = share - own, [], []
        for b in self.bindings:
            if b.member == psn and b.active(day) and left:
                take = min(left, self.balance[b.holder])
                if take:
                    payers.append((b.holder, take))
                    used.append(b)
                    left -= take
        return {
            "act_pay_dedc": dedc,
            "hifp_pay": hifp,
            "acct_pay": own,
            "payers": payers,
            "psn_cash_pay": left,
            "year": day.year,
            "bindings": used,
            "day": day,
        }

    def apply(self, raw: dict, figures: dict, sign: int = 1) -> None:
        psn = raw["psn_no"]
        u = self.usage.setdefault((psn, figures["year"]), [0, 0])
        u[0] += sign * figures["hifp_pay"]
        u[1] += sign * figures["act_pay_dedc"]
        if figures["acct_pay"]:
            self.balance[psn] -= sign * figures["acct_pay"]
        for holder, amount in figures["payers"]:
            self.balance[holder] -= sign * amount
        for b in figures["bindings"] if sign > 0 else ():
            b.last_paid = max(b.last_paid or figures["day"], figures["day"])


def fresh_database(kind, where, tmp_path) -> str:
    if kind == "sqlite":
        path = tmp_path / f"model-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(where, path)
        return f"sqlite:///{path}"
    url = where.render_as_string(hide_password=False)
    empty_postgres(url)
    return url


class LedgerMachine(RuleBasedStateMachine):
    database = None  # set by the test: a function returning a fresh, migrated database URL

    def __init__(self):
        super().__init__()
        self.engine = make_engine(type(self).database())
        self.uow = UnitOfWork(self.engine)
        policies.load_policy(self.uow, "model", CLAIM_POLICY, "claims.toml")
        policies.load_policy(self.uow, "model", PERIOD_2026, "period-2026.toml")
        self.model = Model(today=date(2025, 1, 2))
        self.serial = 0

    def teardown(self):
        self.engine.dispose()

    # -- what the bureau does ----------------------------------------------------------

    def _expect(self, ok: bool, call):
        """Run a command the model says must succeed (ok) or be refused."""
        try:
            result = call()
        except LedgerError as e:
            assert not ok, f"refused, but the model accepts it: {e}"
            return None
        assert ok, f"accepted, but the model refuses it: {result}"
        return result

    def _someone(self, data, employees_only=False) -> str:
        """Mostly a registered person (an employee, if asked), now and then anyone at all."""
        known = [p for p, (scheme, _) in self.model.persons.items() if scheme == "employee" or not employees_only]
        if known and data.draw(st.integers(0, 9), label="known") > 0:
            return data.draw(st.sampled_from(known))
        return data.draw(st.sampled_from(POOL))[0]

    @initialize()
    def a_holder_and_a_child(self):
        self.add()
        self.add()

    @rule(days=st.integers(min_value=1, max_value=45))
    def days_pass(self, days):
        self.model.today = min(self.model.today + timedelta(days=days), date.today())

    @rule()
    def add(self):
        m = self.model
        if len(m.persons) == len(POOL):
            return
        psn, scheme, retired = POOL[len(m.persons)]
        fields = {"psn_no": psn, "name": "参保人", "region": "220702", "enrolled": [2025]}
        if scheme == "employee":
            fields |= {"insutype": "310", "psn_type": "1201" if retired else "1101"}
        else:
            fields |= {"insutype": "390", "resident_category": "ordinary"}
        persons.add_person(self.uow, "clerk", **fields)
        m.persons[psn], m.enrolled[psn] = (scheme, retired), {2025}
        if scheme == "employee":
            m.balance[psn] = 0

    @rule(data=st.data())
    def enroll_for_2026(self, data):
        m, psn = self.model, self._someone(data)
        if self._expect(
            psn in m.persons and 2026 not in m.enrolled[psn],
            lambda: persons.enroll(self.uow, "clerk", psn, 2026, ON_TIME_FOR_2026),
        ):
            m.enrolled[psn].add(2026)

    @rule(data=st.data(), amount=AMOUNTS)
    def credit(self, data, amount):
        m, psn, fen = self.model, self._someone(data, employees_only=True), int(Decimal(amount) * 100)
        ok = psn in m.balance and fen > 0
        if self._expect(ok, lambda: accounts.credit(self.uow, "clerk", psn, fen, "top-up", m.today)):
            m.balance[psn] += fen

    @rule(data=st.data())
    def bind(self, data):
        m, h, mb, on = self.model, self._someone(data, employees_only=True), self._someone(data), self.model.today
        pair = [b for b in m.bindings if (b.holder, b.member) == (h, mb)]
        ok = (
            h in m.persons
            and mb in m.persons
            and h != mb
            and h in m.balance
            and on.year in m.enrolled[mb]
            and not any(b.ended_on is None for b in pair)
            and all(b.ended_on <= on for b in pair)
        )
        if self._expect(ok, lambda: family.bind(self.uow, "clerk", h, mb, "spouse", on)):
            m.bindings.append(Binding(h, mb, on))

    @rule(data=st.data())
    def unbind(self, data):
        m = self.model
        if not m.bindings:
            return
        pair = data.draw(st.sampled_from(sorted({(b.holder, b.member) for b in m.bindings})))
        active = next((b for b in m.bindings if (b.holder, b.member) == pair and b.ended_on is None), None)
        # refused: nothing active, a date before it began, or not after a day it already paid
        ok = (
            active is not None
            and active.bound_on <= m.today
            and (active.last_paid is None or m.today > active.last_paid)
        )
        if self._expect(ok, lambda: family.unbind(self.uow, "clerk", *pair, m.today)):
            active.ended_on = m.today

    @rule(data=st.data(), level=st.sampled_from(["1", "2", "3"]), fee=AMOUNTS)
    def post(self, data, level, fee):
        self.serial += 1
        raw = {
            "setl_id": f"M{self.serial}",
            "psn_no": self._someone(data),
            "service_date": self.model.today.isoformat(),
            "med_type": "11",
            "hosp_lv": level,
            "medfee_sumamt": fee,
        }
        self._post(raw)

    @rule(data=st.data())
    def post_again(self, data):
        """The same claim again: a duplicate that changes nothing."""
        if self.model.claims:
            self._post(self.model.claims[data.draw(st.sampled_from(sorted(self.model.claims)))]["raw"])

    @rule(data=st.data(), fee=AMOUNTS)
    def post_conflicting(self, data, fee):
        """Another claim under a posted setl_id: rejected, changes nothing."""
        if self.model.claims:
            raw = self.model.claims[data.draw(st.sampled_from(sorted(self.model.claims)))]["raw"]
            self._post(raw | {"medfee_sumamt": fee})

    def _post(self, raw: dict):
        m = self.model
        r = claims.post_claim(self.uow, "feed", raw)
        prior = m.claims.get(raw["setl_id"])
        if prior is not None:
            expected = "duplicate" if prior["raw"] == raw else "rejected"
            assert r["status"] == expected, r
            if expected == "duplicate":
                self._same(r, prior["figures"])
            return
        figures = m.post(raw)
        if figures is None:
            assert r["status"] == "rejected", (raw, r)
            return
        assert r["status"] == "posted", (raw, r)
        self._same(r, figures)
        m.apply(raw, figures)
        m.claims[raw["setl_id"]] = {"raw": raw, "figures": figures}

    @staticmethod
    def _same(r: dict, figures: dict):
        got = {k: int(Decimal(str(r[k])) * 100) for k in ("act_pay_dedc", "hifp_pay", "acct_pay", "psn_cash_pay")}
        assert got == {k: figures[k] for k in got}, (r, figures)
        assert [(p["psn_no"], int(Decimal(str(p["amount"])) * 100)) for p in r["mulaid_payers"]] == figures["payers"]

    @rule(data=st.data())
    def reverse(self, data):
        m = self.model
        if not m.claims:
            return
        setl_id = data.draw(st.sampled_from(sorted(m.claims)))
        if self._expect(
            setl_id not in m.reversed,
            lambda: claims.reverse_claim(self.uow, "clerk", setl_id, "entered in error", m.today),
        ):
            c = m.claims[setl_id]
            m.apply(c["raw"], c["figures"], sign=-1)
            m.reversed.add(setl_id)

    @rule()
    def roll_2025_over(self):
        rollover.rollover(self.uow, "bureau", 2025)  # a second run changes nothing

    # -- what must always hold ---------------------------------------------------------

    @invariant()
    def books_agree_with_the_model(self):
        m = self.model
        with self.engine.connect() as conn:
            balances = dict(conn.execute(text("SELECT psn_no, balance FROM accounts")).all())
            usage = {
                (p, y): [f, d]
                for p, y, f, d in conn.execute(
                    text(
                        "SELECT psn_no, year, fund_paid, deductible_met FROM benefit_usage WHERE bucket = 'outpatient'"
                    )
                )
            }
            posted = set(conn.execute(text("SELECT setl_id FROM claims")).scalars())
            reversed_ = set(
                conn.execute(
                    text("SELECT c.setl_id FROM claim_reversals r JOIN claims c ON c.id = r.claim_id")
                ).scalars()
            )
        assert balances == m.balance
        assert {k: v for k, v in usage.items() if v != [0, 0]} == {k: v for k, v in m.usage.items() if v != [0, 0]}
        assert posted == set(m.claims) and reversed_ == m.reversed
        assert all(v >= 0 for v in balances.values())
        assert all(0 <= f <= RULES[m.persons[p]][2] for (p, _), (f, _) in usage.items())
        v = verify(self.uow)
        assert v["ok"], v["problems"]


def test_the_ledger_agrees_with_its_reference_model(_session_database, db_url, tmp_path, request):
    # db_url: its teardown empties the shared PostgreSQL database for the tests after this one
    kind, where = _session_database
    LedgerMachine.database = staticmethod(lambda: fresh_database(kind, where, tmp_path))
    slow = request.config.getoption("--slow")
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=300 if slow else 25,
            stateful_step_count=60 if slow else 30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )


@pytest.mark.parametrize(
    "fee, level, expected",
    [
        # 800.00 at L2, employee in service: deductible 300.00; (800.00 - 300.00) x 57% = 285.00
        ("800.00", 2, 28500),
        # 0.01 at L1 after the deductible is met: 0.01 x 55% = 0.0055 -> 0.01 (half-up)
        ("0.01", 1, 1),
    ],
)
def test_the_model_itself_on_hand_worked_claims(fee, level, expected):
    m = Model(
        today=date(2025, 3, 1), persons={WORKER: ("employee", False)}, enrolled={WORKER: {2025}}, balance={WORKER: 0}
    )
    if fee == "0.01":
        m.usage[(WORKER, 2025)] = [0, 20000]
    figures = m.post({"psn_no": WORKER, "medfee_sumamt": fee, "service_date": "2025-03-01", "hosp_lv": str(level)})
    assert figures["hifp_pay"] == expected
