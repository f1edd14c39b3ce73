"""`ledger demo`: a walk through the product on a throwaway SQLite file."""

from datetime import date
from pathlib import Path

import click
from click.core import ParameterSource
from sqlalchemy import func, select

from ..db import migrate
from ..db.engine import safe_url
from ..db.models import Person
from ..errors import LedgerError
from ..policy.book import ILLUSTRATIVE_EXAMPLE, example_text
from ..render import page
from ..rules.idcard import check_character, mask
from ..rules.money import parse_yuan
from ..services import accounts, claims, family, persons, policies, reports, rollover
from ..services.verify import verify
from .context import Ctx

DEMO_FILE = "ledger-demo.db"


def demo_id(first17: str) -> str:
    return first17 + check_character(first17)


@click.command("demo")
@click.pass_context
def command(ctx):
    """Build a demo database (./ledger-demo.db) and walk a short scenario.

    Uses --db instead when given on the command line (it must hold no persons yet).

    \b
    Example:
        ledger demo && ledger --db sqlite:///ledger-demo.db person show 220702195203150020
    """
    obj: Ctx = ctx.obj
    if ctx.parent.get_parameter_source("db_url") is not ParameterSource.COMMANDLINE:
        path = Path.cwd() / DEMO_FILE
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        obj = Ctx(db_url=f"sqlite:///{path}", operator=obj.operator)
    migrate.upgrade(obj.engine)
    uow = obj.uow()
    with uow:
        if uow.session.scalar(select(func.count()).select_from(Person)):
            raise LedgerError("the demo needs an empty database; leave out --db to use ./ledger-demo.db")
    op = obj.operator

    step("1. The policy in force: Songyuan (220700), 2025, every number with its source")
    shown = policies.show_policy(uow, "220700", 2025)
    for p in shown["parameters"]:
        if p["name"].startswith("employee.outpatient") or p["name"] == "family.relations":
            value = ", ".join(p["value"]) if isinstance(p["value"], tuple) else p["value"]
            say(f"{p['name']:<45} {value}   « {p['source']['quote']} »")

    step("2. Registering a family in Ningjiang district (220702)")
    grandma = demo_id("22070219520315002")  # retired employee, born 1952
    son = demo_id("22070219780611003")  # employee in service, born 1978
    grandson = demo_id("22070220080902013")  # resident (student), born 2008
    people = [
        dict(psn_no=grandma, name="王桂兰", insutype="310", psn_type="1201", region="220702", enrolled=[2025]),
        dict(psn_no=son, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]),
        dict(
            psn_no=grandson, name="李明", insutype="390", resident_category="ordinary", region="220702", enrolled=[2025]
        ),
    ]
    for fields in people:
        p = persons.add_person(uow, op, **fields)
        account = f"account {p['balance']}" if p["balance"] is not None else "no personal account (resident)"
        say(f"{mask(p['psn_no'])} {p['name']}  born {p['birth_date']}  sex {p['sex']}  {account}")

    step("3. Crediting the personal accounts (opening balances)")
    for who, amount, reason, on in [
        (grandma, "1860.00", "opening balance carried over from the previous system", date(2025, 1, 1)),
        (son, "960.00", "opening balance carried over from the previous system", date(2025, 1, 1)),
        (son, "152.40", "monthly crediting, December 2024", date(2025, 1, 2)),
        (son, "152.40", "monthly crediting, January 2025", date(2025, 1, 31)),
    ]:
        r = accounts.credit(uow, op, who, parse_yuan(amount), reason, on)
        say(f"+{r['amount']:>8} to {mask(who)} on {on}: balance {r['balance']}")

    step("4. Refusals: nothing is written when input is wrong")
    for label, call in [
        (
            "a wrong check digit",
            lambda: persons.add_person(
                uow,
                op,
                psn_no=grandma[:17] + ("0" if grandma[17] != "0" else "1"),
                name="错号",
                insutype="310",
                psn_type="1101",
                region="220702",
            ),
        ),
        ("the same person twice", lambda: persons.add_person(uow, op, **people[0])),
        ("crediting a resident", lambda: accounts.credit(uow, op, grandson, 10000, "test")),
    ]:
        try:
            call()
        except LedgerError as e:
            say(f"{label}: refused: {e}")

    step("5. Family mutual aid (家庭共济): 李建国's account pays for his mother and his son")
    for member, relation, on in [(grandma, "parent", date(2025, 3, 1)), (grandson, "child", date(2025, 3, 1))]:
        b = family.bind(uow, op, son, member, relation, on, "applied at the service counter")
        say(f"bound {mask(member)} {b['member_name']} as {relation} of {b['holder_name']} from {on}")
    try:
        family.bind(uow, op, son, grandma, "child", date(2025, 3, 2))
    except LedgerError as e:
        say(f"binding his mother as his child: refused: {e}")
    paid = family.pay_contribution(uow, op, son, grandson, 2026, date(2025, 12, 10))
    say(
        f"paid 李明's 2026 resident contribution {paid['amount']} ({paid['resident_category']}) from 李建国's account: "
        f"balance {paid['holder_balance']}; 李明 is enrolled for 2026"
    )
    for w in paid["warnings"][:1]:
        say(f"(warning: {w})")
    try:
        family.pay_contribution(uow, op, son, grandson, 2026, date(2025, 12, 11))
    except LedgerError as e:
        say(f"paying it again: refused: {e}")

    step("6. A month of claims (March 2025), mutual aid included")
    loaded = policies.load_policy(uow, op, example_text(), "examples/" + ILLUSTRATIVE_EXAMPLE)
    say(
        f"loaded {loaded['name']}: {loaded['parameters']} ILLUSTRATIVE values (resident, inpatient and chronic rules the seed"
    )
    say("does not give); a bureau loads its own pooling area's figures instead")
    month = [
        dict(
            setl_id="SY202503030001",
            psn_no=grandma,
            service_date="2025-03-03",
            med_type="11",
            hosp_lv="1",
            medfee_sumamt="260.00",
        ),
        dict(
            setl_id="SY202503100002",
            psn_no=grandma,
            service_date="2025-03-10",
            med_type="14",
            hosp_lv="1",
            dise_codg="I10",
            medfee_sumamt="180.00",
        ),
        dict(
            setl_id="SY202503120003",
            psn_no=son,
            service_date="2025-03-12",
            med_type="11",
            hosp_lv="2",
            medfee_sumamt="420.00",
            fulamt_ownpay_amt="20.00",
        ),
        dict(
            setl_id="SY202503150004",
            psn_no=grandson,
            service_date="2025-03-15",
            med_type="11",
            hosp_lv="2",
            medfee_sumamt="350.00",
        ),
        dict(
            setl_id="SY202503220005", psn_no=grandson, service_date="2025-03-22", med_type="41", medfee_sumamt="68.00"
        ),
        dict(
            setl_id="SY202503280006",
            psn_no=grandma,
            service_date="2025-03-28",
            med_type="11",
            hosp_lv="3",
            medfee_sumamt="900.00",
        ),
        dict(
            setl_id="SY202503150004",
            psn_no=grandson,
            service_date="2025-03-15",
            med_type="11",
            hosp_lv="2",
            medfee_sumamt="350.00",
        ),
        dict(
            setl_id="SY202503150004",
            psn_no=grandson,
            service_date="2025-03-15",
            med_type="11",
            hosp_lv="2",
            medfee_sumamt="305.00",
        ),
    ]
    names = {grandma: "王桂兰", son: "李建国", grandson: "李明"}
    for r in claims.post_claims(uow, op, list(enumerate(month, 1))):
        who = names[r["psn_no"]]
        if r["status"] == "rejected":
            say(f"{r['setl_id']} {who}: rejected: {r['errors'][0]}")
            continue
        family_paid = ", ".join(f"{names[p['psn_no']]} {p['amount']}" for p in r["mulaid_payers"]) or "-"
        say(
            f"{r['setl_id']} {who:<3} {r['status']:<9} fee {r['medfee_sumamt']:>7}  fund {r['fund_pay_sumamt']:>6}  "
            f"own account {r['acct_pay']:>6}  family ({family_paid})  cash {r['psn_cash_pay']}"
        )
    rv = claims.reverse_claim(
        uow, op, "SY202503220005", "pharmacy refund: medicine returned unopened", date(2025, 3, 25)
    )
    say(f"reversed {rv['setl_id']} ({rv['reversal']['reason']}): 李建国's account gets {rv['acct_mulaid_pay']} back")
    u = claims.usage(uow, grandma, 2025)
    for b in u["buckets"]:
        say(
            f"王桂兰's 2025 {b['bucket']:<12} cap {b['cap']:>8}  fund paid {b['fund_paid']:>7}  deductible met {b['deductible_met']:>7}  remaining {b['remaining']}"
        )

    step("7. The statement of 李建国's account, with a running balance")
    st = accounts.statement(uow, son)
    for line in st["lines"]:
        say(f"{line['date']}  {line['memo'][:58]:<58} {str(line['amount']):>9} {str(line['balance']):>9}")

    step("8. Year end: the rollover of 2025, and the first claim of 2026")
    persons.enroll(uow, op, grandma, 2026)
    r = rollover.rollover(uow, op, 2025)
    say(
        f"2025 closed for {r['persons']} persons; {r['counters_open']} usage counters open for 2026 with the caps in force on 2026-01-01"
    )
    say(
        f"major-illness incentives: {r['bonuses']['persons']} (李明 had fund reimbursement in 2025, so no zero-claim raise)"
    )
    first = next(
        claims.post_claims(
            uow,
            op,
            [
                (
                    1,
                    dict(
                        setl_id="SY202601050001",
                        psn_no=grandma,
                        service_date="2026-01-05",
                        med_type="11",
                        hosp_lv="1",
                        medfee_sumamt="300.00",
                    ),
                )
            ],
        )
    )
    say(
        f"{first['setl_id']} 王桂兰 2026-01-05 fee {first['medfee_sumamt']}: a new year's deductible {first['act_pay_dedc']}, "
        f"fund {first['fund_pay_sumamt']}, own account {first['acct_pay']} (balance {first['balc']})"
    )
    for w in first["warnings"]:
        say(f"(warning: {w})")

    step("9. Verifying the books")
    v = verify(uow)
    c = v["checked"]
    say(
        f"{c['accounts']} accounts, {c['postings']} postings, {c['entries']} entries: {'all balances tie to the journal' if v['ok'] else v['problems']}"
    )
    step("10. The year's report")
    # Beside the SQLite file; for a server's database, in the current folder.
    folder = Path(obj.engine.url.database).parent if obj.engine.dialect.name == "sqlite" else Path.cwd()
    say(_report(uow, folder / "ledger-demo-report-2025.html"))
    url = safe_url(obj.db_url)  # never a password on the screen
    click.echo(
        f"\nThe demo database is {obj.engine.url.database}. Try:\n  ledger --db {url} account statement {son}\n  ledger --db {url} family list {son}\n  ledger --db {url} usage {grandma} --year 2025"
    )


def _report(uow, path: Path) -> str:
    """The 2025 report as one HTML page beside the demo database; without a font that has
    the Chinese characters its charts cannot be drawn, and the demo says so and goes on."""
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    try:
        text = page.page(
            2025, reports.funds(uow, start, end, by=("month",)), reports.mutual_aid(uow, start, end),
            reports.balance(uow, start, end),
        )  # fmt: skip
    except LedgerError as e:
        return f"not written: {e}"
    path.write_text(text, encoding="utf-8")
    return f"written to {path} (open it in a browser; `ledger report --help` lists the reports)"


def step(title: str) -> None:
    click.secho(f"\n{title}", bold=True)


def say(text: str) -> None:
    click.echo(f"  {text}")
