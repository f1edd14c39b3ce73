"""The health-insurance wallet (医保钱包, docs/wallet.md): a Songyuan holder's transfers to a
parent insured in Changchun, the limits of the holder's policy, and the parent's claim
paying from the wallet after her own account.

Figures, from the seeds (both regions enable the wallet from 2025-03-10; a transfer moves at
most 2000.00, three a day, none from 22:00 to 06:00) and this file's policy for Changchun:
- the worker's account holds 10000.00 from 2025-01-01; he sends 2000.00 at 09:00 on
  2025-06-02: account 10000.00 - 2000.00 = 8000.00, the parent's wallet 2000.00;
- the parent, a retired employee in Changchun, has 50.00 in her own account. Her claim of
  300.00 at a level-1 hospital: no deductible at level 1 (the Changchun seed: 取消了一级及以下
  定点医疗机构门诊统筹……的起付线), 62 % from the fund (this file's number, RULES.md §4's
  illustrative Changchun retiree ratio): fund 300.00 x 0.62 = 186.00, her share 114.00;
  her account pays 50.00, the wallet 114.00 - 50.00 = 64.00, cash 0.00; the wallet keeps
  2000.00 - 64.00 = 1936.00.
"""

from datetime import date, datetime

import pytest

from ledger.errors import Conflict, MissingParameter, NotFound, ValidationError
from ledger.services import accounts, claims, persons, policies, reports, verify, wallets
from ledger.services.claim_reversal import reverse_claim
from ledger.services.monitor import run_rules
from tests.ids import WORKER
from tests.policy_text import policy_text

PARENT = "220102195005050026"  # woman, born 1950-05-05, insured in Changchun (Nanguan, 220102)
CHANGCHUN = policy_text(
    {"employee.outpatient.ratio.retired.level1": '"0.62"'}, region="220100", effective_from="2025-01-01"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def pair(uow):
    policies.load_policy(uow, "clerk", CHANGCHUN, "changchun-test.toml")
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="职工", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    persons.add_person(
        uow, "clerk", psn_no=PARENT, name="母亲", insutype="310", psn_type="1201", region="220102", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, 10000_00, "opening", datetime(2025, 1, 1).date())
    accounts.credit(uow, "clerk", PARENT, 50_00, "opening", datetime(2025, 1, 1).date())
    return uow


def send(uow, amount: int, when: str, **kw):
    return wallets.transfer(uow, "clerk", WORKER, PARENT, amount, at(when), **{"relation": "parent"} | kw)


def test_a_songyuan_holder_sends_2000_to_a_parent_in_changchun(pair):
    t = send(pair, 2000_00, "2025-06-02T09:00")
    assert (str(t["amount"]), t["relation"], t["binding_id"], t["local_day"].isoformat()) == (
        "2000.00",
        "parent",
        None,
        "2025-06-02",
    )
    # 10000.00 - 2000.00 = 8000.00 left in the account; the wallet holds 2000.00
    assert (str(t["holder_balance"]), str(t["member_wallet"])) == ("8000.00", "2000.00")
    shown = wallets.show_wallet(pair, PARENT)
    assert str(shown["balance"]) == "2000.00"
    assert [(x["direction"], x["with"], str(x["amount"])) for x in shown["transfers"]] == [("in", WORKER, "2000.00")]
    out = wallets.show_wallet(pair, WORKER)["transfers"]
    assert [(x["direction"], x["with"], str(x["amount"])) for x in out] == [("out", PARENT, "2000.00")]
    # the holder's statement: the opening 10000.00, then the transfer out, naming the parent
    lines = accounts.statement(pair, WORKER)["lines"]
    assert [(x["kind"], str(x["amount"]), str(x["balance"])) for x in lines] == [
        ("account.credit", "10000.00", "10000.00"),
        ("wallet.transfer", "-2000.00", "8000.00"),
    ]
    assert lines[1]["for"] == {"psn_no": PARENT, "name": "母亲", "relation": "parent"}
    # report mutual-aid: one holder sent one member one transfer of 2000.00 in June
    rows = reports.mutual_aid(pair, date(2025, 1, 1), date(2025, 12, 31)).rows
    assert [(r["kind"], r["relation"], r["period"], r["holders"], r["members"], r["payments"], str(r["amount"]))
            for r in rows] == [("wallet_transfers", "parent", "2025-06", 1, 1, 1, "2000.00")]  # fmt: skip
    assert verify.verify(pair)["ok"]


def test_a_fourth_transfer_the_same_day_is_refused(pair):
    for hour in ("09:00", "12:00", "21:59"):
        send(pair, 100_00, f"2025-06-02T{hour}")
    with pytest.raises(Conflict, match=r"made 3 wallet transfers on 2025-06-02.*wallet\.transfer\.max_per_day = 3"):
        send(pair, 100_00, "2025-06-02T21:59:30")
    # the next local day counts afresh: 10000.00 - 4 x 100.00 = 9600.00
    assert str(send(pair, 100_00, "2025-06-03T06:00")["holder_balance"]) == "9600.00"


def test_the_day_limit_counts_beijing_days_whatever_the_desks_zone(pair, monkeypatch):
    # A desk whose LEDGER_TIMEZONE is Los Angeles (UTC-7 in June): 09:00, 12:00 and 15:00 on
    # 2025-06-02 in Beijing (UTC+8) are 18:00 and 21:00 on 1 June and 00:00 on 2 June there.
    # The seeds' wallet.transfer.time_zone is Asia/Shanghai: all three fall on Beijing's
    # 2 June, so a fourth at 18:00 Beijing time (03:00 on 2 June in Los Angeles) is refused.
    monkeypatch.setenv("LEDGER_TIMEZONE", "America/Los_Angeles")
    for hour in ("01:00", "04:00", "07:00"):  # UTC
        t = send(pair, 100_00, f"2025-06-02T{hour}Z")
        assert t["local_day"] == date(2025, 6, 2)
    with pytest.raises(Conflict, match=r"made 3 wallet transfers on 2025-06-02.*wallet\.transfer\.max_per_day = 3"):
        send(pair, 100_00, "2025-06-02T10:00Z")


def test_the_day_the_wallet_opens_is_beijings_whatever_the_desks_zone(pair, monkeypatch):
    # Both seeds enable the wallet from 2025-03-10. 17:00 on 9 March in Los Angeles (UTC-8
    # until the 9th's 02:00, then UTC-7) is 08:00 on 10 March in Beijing: the wallet is open.
    monkeypatch.setenv("LEDGER_TIMEZONE", "America/Los_Angeles")
    t = send(pair, 100_00, "2025-03-09T17:00")
    assert (t["local_day"], str(t["amount"])) == (date(2025, 3, 10), "100.00")


def test_the_quiet_hours_are_beijing_hours_whatever_the_desks_zone(pair, monkeypatch):
    # A desk in UTC: 15:30 UTC is 23:30 in Beijing, in the seeds' quiet hours 22:00 to 06:00
    monkeypatch.setenv("LEDGER_TIMEZONE", "UTC")
    with pytest.raises(Conflict, match=r"at: 23:30 Asia/Shanghai time \(wallet\.transfer\.time_zone\) is in the quiet"):
        send(pair, 100_00, "2025-06-02T15:30")  # the desk's local time, UTC
    # 01:00 UTC is 09:00 in Beijing: allowed, though 01:00 is a quiet hour on the desk's clock
    assert str(send(pair, 100_00, "2025-06-02T01:00")["amount"]) == "100.00"


def test_a_transfer_from_or_to_a_person_recorded_dead_is_refused(pair, snapshot):
    persons.record_death(pair, "clerk", PARENT, date(2025, 6, 1), "civil affairs notice")
    persons.record_death(pair, "clerk", WORKER, date(2025, 7, 1), "hospital")
    before = snapshot()
    with pytest.raises(Conflict, match=r"member: 220102\*+0026 died on 2025-06-01 .*no wallet transfer on 2025-06-02"):
        send(pair, 100_00, "2025-06-02T09:00")
    with pytest.raises(Conflict, match=r"member: .* died on 2025-06-01 .*on 2025-06-01"):
        send(pair, 100_00, "2025-06-01T09:00")  # the record gives the day, not the hour
    with pytest.raises(Conflict, match=r"holder: 220702\*+0035 died on 2025-07-01"):
        send(pair, 100_00, "2025-07-02T09:00")
    assert snapshot() == before
    # before either death, the worker's transfer to his mother went through
    assert str(send(pair, 100_00, "2025-05-31T09:00")["amount"]) == "100.00"


def test_2000_01_is_refused_and_2000_00_is_not(pair):
    with pytest.raises(Conflict, match=r"amount: 2000\.01 is more than .*\(2000\.00, wallet\.transfer\.max_amount\)"):
        send(pair, 2000_01, "2025-06-02T09:00")
    assert str(send(pair, 2000_00, "2025-06-02T09:00")["amount"]) == "2000.00"


@pytest.mark.parametrize("when", ["2025-06-02T22:30", "2025-06-02T22:00", "2025-06-03T05:59", "2025-06-02T14:30Z"])
def test_a_transfer_in_the_quiet_hours_is_refused(pair, when):
    # 14:30 UTC is 22:30 in the ledger's zone (Asia/Shanghai, UTC+8)
    with pytest.raises(Conflict, match=r"22:00 to 06:00 \(wallet\.transfer\.quiet_from"):
        send(pair, 100_00, when)


def test_nothing_is_written_by_a_refused_transfer(pair, snapshot):
    before = snapshot()
    for bad in [
        lambda: send(pair, 100_00, "2025-06-02T22:30"),
        lambda: send(pair, 2000_01, "2025-06-02T09:00"),
        lambda: send(pair, 10001_00, "2025-06-02T09:00"),  # more than the account holds, and than 2000.00
        lambda: send(pair, 100_00, "2025-03-09T09:00"),  # before the wallet is enabled
    ]:
        with pytest.raises((Conflict, ValidationError)):
            bad()
    assert snapshot() == before


def test_both_regions_must_have_the_wallet_enabled_on_the_day(pair):
    with pytest.raises(Conflict, match=r"holder: .* region 220700 enables the 医保钱包 from 2025-03-10"):
        send(pair, 100_00, "2025-03-09T09:00")


def test_the_member_must_be_insured_in_the_year_of_the_transfer(pair):
    # both are enrolled for 2025 only
    with pytest.raises(Conflict, match=r"member: 220102\*{8}0026 is not enrolled for 2026, the year of the transfer"):
        send(pair, 100_00, "2026-01-05T09:00")


def test_the_relation_is_a_near_relative_of_the_holders_policy(pair):
    with pytest.raises(ValidationError, match=r"--relation: the pair is not bound"):
        wallets.transfer(pair, "clerk", WORKER, PARENT, 100_00, at("2025-06-02T09:00"))
    with pytest.raises(ValidationError, match=r"a relative, not to the holder's own wallet"):
        wallets.transfer(pair, "clerk", WORKER, WORKER, 100_00, at("2025-06-02T09:00"), "parent")


def test_more_than_the_account_holds_is_refused(pair):
    for day in ("02", "03", "04", "05", "06"):
        send(pair, 2000_00, f"2025-06-{day}T09:00")  # 5 x 2000.00 = 10000.00: the account is empty
    with pytest.raises(Conflict, match=r"holds 0\.00, less than the transfer of 0\.01"):
        send(pair, 1, "2025-06-07T09:00")


def test_a_transfer_in_the_future_is_refused(pair):
    with pytest.raises(ValidationError, match=r"--at: .* is in the future"):
        send(pair, 100_00, "2999-01-01T09:00")


def claim(setl_id: str, day: str, fee: str) -> dict:
    return {
        "setl_id": setl_id,
        "psn_no": PARENT,
        "service_date": day,
        "med_type": "11",
        "hosp_lv": "1",
        "medfee_sumamt": fee,
        "acct_used_flag": "1",
    }


def test_the_parents_claim_pays_from_the_wallet_after_her_own_account(pair):
    send(pair, 2000_00, "2025-06-02T09:00")
    r = claims.post_claim(pair, "feed", claim("CC1", "2025-06-04", "300.00"))
    assert r.status == "posted", r.errors
    # fund 300.00 x 0.62 = 186.00; share 114.00 = account 50.00 + wallet 64.00 + cash 0.00
    amounts = ("fund_pay_sumamt", "psn_part_amt", "acct_pay", "wallet_pay", "acct_mulaid_pay", "psn_cash_pay")
    assert [str(r[f]) for f in amounts] == ["186.00", "114.00", "50.00", "64.00", "0.00", "0.00"]
    assert str(wallets.show_wallet(pair, PARENT)["balance"]) == "1936.00"  # 2000.00 - 64.00
    assert str(claims.show_claim(pair, "CC1")["wallet_pay"]) == "64.00"
    assert verify.verify(pair)["ok"]
    # and the monitor's R12 holds it to the same identities: 114.00 = 50.00 + 64.00 + 0 + 0 + 0
    with pair.read_only():
        _states, found = run_rules(pair.session, date(2025, 1, 1), date(2025, 12, 31), ["R12"])
    assert found == []
    # the reversal gives the wallet its 64.00 back: 2000.00 again, and the account its 50.00
    reverse_claim(pair, "clerk", "CC1", "entered twice", datetime(2025, 6, 5).date())
    assert str(wallets.show_wallet(pair, PARENT)["balance"]) == "2000.00"
    assert str(accounts.show_account(pair, PARENT)["balance"]) == "50.00"
    assert verify.verify(pair)["ok"]


def test_a_claim_dated_before_the_wallet_is_enabled_does_not_draw_on_it(pair):
    send(pair, 2000_00, "2025-06-02T09:00")
    r = claims.post_claim(pair, "feed", claim("CC0", "2025-03-01", "300.00"))
    # the same 114.00 share: account 50.00, and the rest in cash, 64.00, as on 2025-03-01
    # Changchun's wallet did not pay yet
    assert [str(r[f]) for f in ("acct_pay", "wallet_pay", "psn_cash_pay")] == ["50.00", "0.00", "64.00"]


def test_a_person_without_a_wallet_is_told_so(pair):
    with pytest.raises(NotFound, match=r"has no 医保钱包"):
        wallets.show_wallet(pair, PARENT)


def test_a_region_that_enabled_the_wallet_must_give_its_limits(uow):
    # A Songyuan file of 2026 that enables the wallet and says nothing else is not enough on
    # its own, but the seed's limits still stand under it; a region with no file at all for
    # the limits is refused by name.
    text = policy_text({"wallet.enabled_from": "2025-01-01"}, region="220300", effective_from="2025-01-01")
    policies.load_policy(uow, "clerk", text + FAMILY, "siping.toml")
    holder = "220302197806110033"
    persons.add_person(
        uow, "clerk", psn_no=holder, name="四平", insutype="310", psn_type="1101", region="220302", enrolled=[2025]
    )
    persons.add_person(
        uow, "clerk", psn_no=PARENT, name="母亲", insutype="310", psn_type="1201", region="220102", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", holder, 100_00, "opening", datetime(2025, 1, 1).date())
    # the first the transfer needs is its clock: the area's day and hours are judged on it
    with pytest.raises(MissingParameter, match=r"'wallet\.transfer\.time_zone' is not given for region 220300"):
        wallets.transfer(uow, "clerk", holder, PARENT, 100_00, at("2025-06-02T09:00"), "parent")


FAMILY = '\n[parameters."family.relations"]\nvalue = ["parent"]\nsource = "doc"\n'


def test_verify_names_a_wallet_changed_behind_the_ledgers_back(pair, engine):
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from ledger.services.verify import check
    from tests.integration.test_verify import unguarded

    send(pair, 2000_00, "2025-06-02T09:00")
    with unguarded(engine, "wallets", "wallet_transfers") as conn:
        conn.execute(text("UPDATE wallets SET balance = balance + 1"))
        conn.execute(text("UPDATE wallet_transfers SET amount = 199900"))
        assert [str(p) for p in check(Session(bind=conn))["problems"]] == [
            # 2000.00 + 0.01; the transfer's posting moved 2000.00, not the 1999.00 it now says
            "wallet of 220102********0026: balance 2000.01, but its journal entries add up to 2000.00",
            "wallet transfer 1: of 1999.00, its posting took 2000.00 from the holder's account and gave 2000.00 "
            "to the member's wallet",
        ]


def test_the_wallet_stays_the_members_over_the_year_end(pair):
    # docs/wallet.md, "Year end": the rollover neither returns the 2000.00 to the holder nor
    # touches it; it pays the parent's claims in the new year as in the old
    from ledger.services import rollover

    send(pair, 2000_00, "2025-06-02T09:00")
    rollover.rollover(pair, "bureau", 2025)
    assert str(wallets.show_wallet(pair, PARENT)["balance"]) == "2000.00"
    assert str(accounts.show_account(pair, WORKER)["balance"]) == "8000.00"
    assert verify.verify(pair)["ok"]


def test_a_wallet_leg_for_a_person_without_a_wallet_stops_the_write(pair):
    # the journal writer never drops an amount it cannot place (services/journal.py)
    from ledger.services.journal import Draft, Leg, UnbalancedPosting, post_many

    with pytest.raises(UnbalancedPosting, match="without a wallet"), pair:
        post_many(
            pair.session,
            [Draft("test", date(2025, 6, 2), "a wallet leg", [Leg("wallet", 100, PARENT), Leg("provider", -100)])],
            "t",
        )
    assert verify.verify(pair)["ok"]
