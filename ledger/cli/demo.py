"""`ledger demo`: a walk through the product on a throwaway SQLite file."""

from datetime import date
from pathlib import Path

import click
from click.core import ParameterSource
from sqlalchemy import func, select

from ..db import migrate, partitions
from ..db.engine import safe_url
from ..db.models import Person
from ..errors import LedgerError
from ..i18n import _
from ..policy.book import ILLUSTRATIVE_EXAMPLE, example_text
from ..rules.idcard import check_character, mask
from ..rules.money import parse_yuan
from ..services import accounts, claims, family, persons, policies, rollover
from ..services.verify import verify
from .context import Ctx
from .demo_output import report as _report
from .demo_output import say, step

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
    partitions.add_years(obj.engine, (2025, 2026))  # the demo's years (PostgreSQL: made ahead, as a bureau's)
    uow = obj.uow()
    with uow:
        if uow.session.scalar(select(func.count()).select_from(Person)):
            raise LedgerError(_("the demo needs an empty database; leave out --db to use ./ledger-demo.db"))
    op = obj.operator

    step(_("1. The policy in force: Songyuan (220700), 2025, every number with its source"))
    shown = policies.show_policy(uow, "220700", 2025)
    for p in shown["parameters"]:
        if p["name"].startswith("employee.outpatient") or p["name"] == "family.relations":
            value = ", ".join(p["value"]) if isinstance(p["value"], tuple) else p["value"]
            say(f"{p['name']:<45} {value}   « {p['source']['quote']} »")

    step(_("2. Registering a family in Ningjiang district (220702)"))
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
        account = (
            _("account {balance}").format(balance=p["balance"])
            if p["balance"] is not None
            else _("no personal account (resident)")
        )
        say(
            _("{psn_no} {name}  born {birth_date}  sex {sex}  {account}").format(
                psn_no=mask(p["psn_no"]), name=p["name"], birth_date=p["birth_date"], sex=_(p["sex"]), account=account
            )
        )

    step(_("3. Crediting the personal accounts (opening balances)"))
    for who, amount, reason, on in [
        (grandma, "1860.00", "opening balance carried over from the previous system", date(2025, 1, 1)),
        (son, "960.00", "opening balance carried over from the previous system", date(2025, 1, 1)),
        (son, "152.40", "monthly crediting, December 2024", date(2025, 1, 2)),
        (son, "152.40", "monthly crediting, January 2025", date(2025, 1, 31)),
    ]:
        r = accounts.credit(uow, op, who, parse_yuan(amount), reason, on)
        say(
            _("+{amount:>8} to {who} on {on}: balance {balance}").format(
                amount=r["amount"], who=mask(who), on=on, balance=r["balance"]
            )
        )

    step(_("4. Refusals: nothing is written when input is wrong"))
    for label, call in [
        (
            _("a wrong check digit"),
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
        (_("the same person twice"), lambda: persons.add_person(uow, op, **people[0])),
        (_("crediting a resident"), lambda: accounts.credit(uow, op, grandson, 10000, "test")),
    ]:
        try:
            call()
        except LedgerError as e:
            say(_("{label}: refused: {e}").format(label=label, e=e))

    step(_("5. Family mutual aid (家庭共济): 李建国's account pays for his mother and his son"))
    for member, relation, on in [(grandma, "parent", date(2025, 3, 1)), (grandson, "child", date(2025, 3, 1))]:
        b = family.bind(uow, op, son, member, relation, on, "applied at the service counter")
        say(
            _("bound {member} {member_name} as {relation} of {holder_name} from {on}").format(
                member=mask(member),
                member_name=b["member_name"],
                relation=_(relation),
                holder_name=b["holder_name"],
                on=on,
            )
        )
    try:
        family.bind(uow, op, son, grandma, "child", date(2025, 3, 2))
    except LedgerError as e:
        say(_("binding his mother as his child: refused: {e}").format(e=e))
    paid = family.pay_contribution(uow, op, son, grandson, 2026, date(2025, 12, 10))
    say(
        _(
            "paid 李明's 2026 resident contribution {amount} ({resident_category}) from 李建国's account: balance {holder_balance}; 李明 is enrolled for 2026"
        ).format(
            amount=paid["amount"], resident_category=paid["resident_category"], holder_balance=paid["holder_balance"]
        )
    )
    for w in paid["warnings"][:1]:
        say(_("(warning: {w})").format(w=w))
    try:
        family.pay_contribution(uow, op, son, grandson, 2026, date(2025, 12, 11))
    except LedgerError as e:
        say(_("paying it again: refused: {e}").format(e=e))

    step(_("6. A month of claims (March 2025), mutual aid included"))
    loaded = policies.load_policy(uow, op, example_text(), "examples/" + ILLUSTRATIVE_EXAMPLE)
    say(
        _(
            "loaded {name}: {parameters} ILLUSTRATIVE values (resident, inpatient and chronic rules the seed does not give);"
        ).format(name=loaded["name"], parameters=loaded["parameters"])
    )
    say(_("a bureau loads its own pooling area's figures instead"))
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
            say(_("{setl_id} {who}: rejected: {errors}").format(setl_id=r["setl_id"], who=who, errors=r["errors"][0]))
            continue
        family_paid = ", ".join(f"{names[p['psn_no']]} {p['amount']}" for p in r["mulaid_payers"]) or "-"
        say(
            _(
                "{setl_id} {who:<3} {status:<9} fee {medfee_sumamt:>7}  fund {fund_pay_sumamt:>6}  own account {acct_pay:>6}  family ({family_paid})  cash {psn_cash_pay}"
            ).format(
                setl_id=r["setl_id"],
                who=who,
                status=r["status"],
                medfee_sumamt=r["medfee_sumamt"],
                fund_pay_sumamt=r["fund_pay_sumamt"],
                acct_pay=r["acct_pay"],
                family_paid=family_paid,
                psn_cash_pay=r["psn_cash_pay"],
            )
        )
    rv = claims.reverse_claim(
        uow, op, "SY202503220005", "pharmacy refund: medicine returned unopened", date(2025, 3, 25)
    )
    say(
        _("reversed {setl_id} ({reason}): 李建国's account gets {acct_mulaid_pay} back").format(
            setl_id=rv["setl_id"], reason=rv["reversal"]["reason"], acct_mulaid_pay=rv["acct_mulaid_pay"]
        )
    )
    u = claims.usage(uow, grandma, 2025)
    for b in u["buckets"]:
        say(
            _(
                "王桂兰's 2025 {bucket:<12} cap {cap:>8}  fund paid {fund_paid:>7}  deductible met {deductible_met:>7}  remaining {remaining}"
            ).format(
                bucket=b["bucket"],
                cap=b["cap"],
                fund_paid=b["fund_paid"],
                deductible_met=b["deductible_met"],
                remaining=b["remaining"],
            )
        )

    step(_("7. The statement of 李建国's account, with a running balance"))
    st = accounts.statement(uow, son)
    for line in st["lines"]:
        say(f"{line['date']}  {line['memo'][:58]:<58} {str(line['amount']):>9} {str(line['balance']):>9}")

    step(_("8. Year end: the rollover of 2025, and the first claim of 2026"))
    persons.enroll(uow, op, grandma, 2026)
    r = rollover.rollover(uow, op, 2025)
    say(
        _(
            "2025 closed for {persons} persons; {counters_open} usage counters open for 2026 with the caps in force on 2026-01-01"
        ).format(persons=r["persons"], counters_open=r["counters_open"])
    )
    say(
        _("major-illness incentives: {persons} (李明 had fund reimbursement in 2025, so no zero-claim raise)").format(
            persons=r["bonuses"]["persons"]
        )
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
        _(
            "{setl_id} 王桂兰 2026-01-05 fee {medfee_sumamt}: a new year's deductible {act_pay_dedc}, fund {fund_pay_sumamt}, own account {acct_pay} (balance {balc})"
        ).format(
            setl_id=first["setl_id"],
            medfee_sumamt=first["medfee_sumamt"],
            act_pay_dedc=first["act_pay_dedc"],
            fund_pay_sumamt=first["fund_pay_sumamt"],
            acct_pay=first["acct_pay"],
            balc=first["balc"],
        )
    )
    for w in first["warnings"]:
        say(_("(warning: {w})").format(w=w))

    step(_("9. Verifying the books"))
    v = verify(uow)
    c = v["checked"]
    say(
        _("{accounts} accounts, {postings} postings, {entries} entries: {value}").format(
            accounts=c["accounts"],
            postings=c["postings"],
            entries=c["entries"],
            value=_("all balances tie to the journal") if v["ok"] else v["problems"],
        )
    )
    step(_("10. The year's report"))
    # Beside the SQLite file; for a server's database, in the current folder.
    folder = Path(obj.engine.url.database).parent if obj.engine.dialect.name == "sqlite" else Path.cwd()
    say(_report(uow, folder / "ledger-demo-report-2025.html"))
    url = safe_url(obj.db_url)  # never a password on the screen
    click.echo(
        _(
            "\nThe demo database is {database}. Try:\n  ledger --db {url} account statement {son}\n  ledger --db {url} family list {son}\n  ledger --db {url} usage {grandma} --year 2025"
        ).format(database=obj.engine.url.database, url=url, son=son, grandma=grandma)
    )
