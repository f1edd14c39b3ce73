"""`ledger monitor` (智能监控) on a data set with one anomaly planted for each rule among
clean claims: every planted case is found, with its claims and the amount at risk, and no
clean claim is flagged. The thresholds are stated here (MONITOR), not read from the code.

The people, all of Ningjiang district (220702), enrolled for 2025; employees in service
hold 10000.00, so their accounts pay every personal share and a claim's amount at risk
(fund + accounts) is its whole fee. Songyuan's seed and tests/claim_policy.py price them:
employee outpatient deductible L1 200.00 / L2 300.00 (ratio 55 / 57 %), employee inpatient
L2 deductible 1000.00 at 85 %, resident outpatient L2 deductible 100.00 at 55 %.
"""

from datetime import date

import pytest
from sqlalchemy import text

from ledger.rules.idcard import check_character
from ledger.services import accounts, claims, family, national, persons, policies
from ledger.services.monitor import monitor, review
from tests.claim_policy import CLAIM_POLICY
from tests.platform_records import record
from tests.policy_text import policy_text

# The thresholds, as a bureau would load them.
MONITOR = {
    "monitor.readmission.days": "15",  # R06
    "monitor.visits.window_days": "7",  # R07: more than 5 settlements, or 3 institutions, in 7 days
    "monitor.visits.max_settlements": "5",
    "monitor.visits.max_institutions": "3",
    "monitor.pharmacies.max_per_day": "2",  # R08
    "monitor.distance.min_minutes": "30",  # R09
    "monitor.mutual_aid.max_members_per_month": "3",  # R10
    "monitor.year_end_drain.times_monthly_mean": "3",  # R11
    "monitor.year_end_drain.left_at_most": '"10.00"',
}


def pid(first17: str) -> str:
    return first17 + check_character(first17)


# employees, men born on 1 to 10 January 1970
DEAD, DUP, STAY, FREQ, PHARM, CLOSE, HOLDER, DRAIN, CLEAN1, CLEAN2 = (
    pid(f"220702197001{n:02d}001") for n in range(1, 11)
)
SPOUSE, PARENT, CHILD, SIBLING, CLEAN_RES = (
    pid("22070219720202001"),  # resident, born 1972
    pid("22070219400303001"),  # resident, born 1940
    pid("22070220050505001"),  # resident, born 2005
    pid("22070219750707001"),  # resident, born 1975
    pid("22070219900909002"),  # resident, born 1990
)


def ledger_claim(setl_id, psn_no, day, fee, med_type="11", level="2"):
    return {
        "setl_id": setl_id, "psn_no": psn_no, "service_date": day, "med_type": med_type, "hosp_lv": level,
        "medfee_sumamt": fee,
    }  # fmt: skip


def platform(setl_id, psn_no, when, fee, med_type="11", place="H1", stay=None):
    """A platform record of `psn_no` at `place` (二级甲等: deductible level 2), settled `when`."""
    r = record(setl_id, when, "05", fee, "0.00", fee, fee, "0.00", dedc="0.00", ratio="0.00", balc="0.00")
    r |= {"certno": psn_no, "psn_no": f"P{psn_no}", "med_type": med_type, "fixmedins_code": place}
    if stay:
        r |= {"begndate": stay[0], "enddate": stay[1]}
    return r


@pytest.fixture
def planted(uow):
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    policies.load_policy(uow, "clerk", policy_text(MONITOR, effective_from="2025-01-01"), "monitor.toml")
    for psn in (DEAD, DUP, STAY, FREQ, PHARM, CLOSE, HOLDER, DRAIN, CLEAN1, CLEAN2):
        persons.add_person(
            uow, "clerk", psn_no=psn, name="职工", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
        )
        accounts.credit(uow, "clerk", psn, 210_00 if psn == DRAIN else 10000_00, "opening", date(2025, 1, 1))
    for psn in (SPOUSE, PARENT, CHILD, SIBLING, CLEAN_RES):
        persons.add_person(
            uow, "clerk", psn_no=psn, name="居民", insutype="390", resident_category="ordinary", region="220702",
            enrolled=[2025],
        )  # fmt: skip
    for member, relation in ((SPOUSE, "spouse"), (PARENT, "parent"), (CHILD, "child"), (SIBLING, "sibling")):
        family.bind(uow, "clerk", HOLDER, member, relation, date(2025, 1, 2))
    family.bind(uow, "clerk", CLEAN1, CLEAN_RES, "sibling", date(2025, 1, 2))
    feed = [
        ledger_claim("C01", DEAD, "2025-03-15", "200.00"),  # R01: after the death of 2025-03-10
        ledger_claim("D1", DUP, "2025-04-01", "150.00"),  # R03: the same day and fee twice
        ledger_claim("D2", DUP, "2025-04-01", "150.00"),
        *(
            ledger_claim(f"F{n}", FREQ, f"2025-06-0{n + 1}", "50.00", level="1") for n in range(1, 7)
        ),  # R07: 6 in 6 days
        *(ledger_claim(f"M{n}", m, "2025-09-10", "300.00") for n, m in enumerate((SPOUSE, PARENT, CHILD, SIBLING), 1)),
        # R11: 10.00 a month from the account, January to November, then 90.00 in December
        *(ledger_claim(f"DR{m:02d}", DRAIN, f"2025-{m:02d}-15", "10.00", "41", "1") for m in range(1, 12)),
        ledger_claim("DR12", DRAIN, "2025-12-15", "90.00", "41", "1"),
        # clean: visits spread out, one pharmacy a day, one member paid for a month
        *(ledger_claim(f"CL{n}", CLEAN1, f"2025-0{n}-05", "120.00") for n in range(1, 10)),
        *(ledger_claim(f"CK{n}", CLEAN2, f"2025-06-{10 + 2 * n}", "60.00", level="1") for n in range(5)),
        ledger_claim("CR1", CLEAN_RES, "2025-09-10", "300.00"),
        ledger_claim("CP1", CLEAN2, "2025-07-01", "30.00", "41", "1"),
    ]
    results = list(claims.post_claims(uow, "feed", enumerate(feed, 1)))
    assert [r.status for r in results] == ["posted"] * len(feed), [(r.setl_id, r.errors) for r in results if r.errors]
    records = [
        # R04 and R06 (STAY): S1 and S2 overlap; S3 comes 8 days after S2's discharge, at H2 again
        platform("S1", STAY, "2025-05-10 10:00:00", "3000.00", "21", "H1", ("2025-05-01", "2025-05-10")),
        platform("S2", STAY, "2025-05-12 10:00:00", "2000.00", "21", "H2", ("2025-05-08", "2025-05-12")),
        platform("S3", STAY, "2025-05-25 10:00:00", "1500.00", "21", "H2", ("2025-05-20", "2025-05-25")),
        platform("O1", STAY, "2025-05-05 09:00:00", "100.00", "11", "H3"),  # R05: inside S1
        platform("O2", STAY, "2025-05-12 15:00:00", "80.00", "11", "H3"),  # S2's discharge day: allowed
        *(platform(f"P{n}", PHARM, f"2025-07-01 1{n}:00:00", "40.00", "41", f"Y{n}") for n in range(1, 4)),  # R08
        platform("K1", CLOSE, "2025-08-01 09:00:00", "100.00", "11", "H1"),  # R09: 10 minutes apart
        platform("K2", CLOSE, "2025-08-01 09:10:00", "100.00", "11", "H4"),
        platform("K3", CLEAN2, "2025-08-01 09:00:00", "100.00", "11", "H1"),  # clean: 3 hours apart
        platform("K4", CLEAN2, "2025-08-01 12:00:00", "100.00", "11", "H4"),
        platform("CS1", CLEAN1, "2025-10-10 10:00:00", "2500.00", "21", "H1", ("2025-10-01", "2025-10-10")),
        platform("CS2", CLEAN1, "2025-11-10 10:00:00", "1200.00", "21", "H1", ("2025-11-01", "2025-11-10")),
    ]
    results = list(national.post_records(uow, "feed", enumerate(records, 1)))
    assert [r.status for r in results] == ["posted"] * len(records), [
        (r.setl_id, r.errors) for r in results if r.errors
    ]
    persons.record_death(uow, "clerk", DEAD, date(2025, 3, 10), "民政死亡通报")
    return uow


def found(result) -> dict:
    return {(f["rule_id"], tuple(f["setl_ids"])): f for f in result["findings"]}


def test_every_planted_case_is_found_and_no_clean_claim_is_flagged(planted):
    result = monitor(planted, date(2025, 1, 1), date(2025, 12, 31))
    assert all(st["ran"] for st in result["rules"])
    f = found(result)
    assert set(f) == {
        ("R01", ("C01",)),
        ("R03", ("D1", "D2")),
        ("R04", ("S1", "S2")),
        ("R05", ("O1", "S1")),
        ("R06", ("S2", "S3")),
        ("R07", ("F1", "F2", "F3", "F4", "F5", "F6")),
        ("R08", ("P1", "P2", "P3")),
        ("R09", ("K1", "K2")),
        ("R10", ("M1", "M2", "M3", "M4")),
        ("R11", ("DR12",)),
    }
    amounts = {k[0]: str(v["vola_amt"]) for k, v in f.items()}
    assert amounts == {
        "R01": "200.00",  # C01 200.00 at L2: deductible 300.00 not met, all from the account
        "R03": "150.00",  # D2, the second of the pair: its deductible (150.00 left of 300.00) from the account
        "R04": "2000.00",  # S2, admitted second: fund 2000 x 85% = 1700.00 (deductible met by S1) + 300.00
        "R05": "100.00",  # O1: under the outpatient deductible, all from the account
        "R06": "1500.00",  # S3, the readmission: 1275.00 fund + 225.00 account
        "R07": "300.00",  # six visits of 50.00 (fund 27.50 each for the last two, the rest the account)
        "R08": "120.00",  # three pharmacies, 40.00 each
        "R09": "100.00",  # K2, the later of the two
        "R10": "760.00",  # four members, 300.00 at L2 each: fund (300 - 100) x 55% = 110.00, 190.00 from HOLDER
        "R11": "90.00",  # December's purchase from the account
    }
    r11 = f[("R11", ("DR12",))]
    # January to November: 11 x 10.00 = 110.00, a mean of 10.00 a month; December 90.00 is 9.0
    # times it; 210.00 - 110.00 - 90.00 = 10.00 left, at most the 10.00 that counts as emptied
    assert r11["vola_cont"] == (
        "pharmacy purchases of 90.00 from the account in December of 2025, 9.0 times the monthly mean of 10.00; "
        "10.00 left at the year's end"
    )
    assert f[("R01", ("C01",))]["vola_cont"] == "settled on 2025-03-15, 5 days after the death recorded on 2025-03-10"
    assert (
        f[("R06", ("S2", "S3"))]["vola_cont"]
        == "readmitted at H2 on 2025-05-20, 8 days after the discharge of 2025-05-12"
    )
    assert f[("R10", ("M1", "M2", "M3", "M4"))]["psn_nos"][0] == HOLDER


def test_a_finding_keeps_the_national_results_fields_in_order(planted):
    (one,) = [x for x in monitor(planted, date(2025, 3, 1), date(2025, 3, 31), ["R01"])["findings"]]
    assert list(one) == [
        "jr_id", "rule_id", "rule_name", "sev_deg", "vola_bhvr_type", "patn_id", "psn_nos", "setl_ids", "vola_amt",
        "vola_cont", "vola_evid", "new", "review",
    ]  # fmt: skip
    assert (one["rule_id"], one["sev_deg"], one["vola_bhvr_type"], one["patn_id"]) == (
        "R01", "violation", "fictitious_service", DEAD
    )  # fmt: skip
    assert one["jr_id"].startswith("R01-") and len(one["jr_id"]) == 20


def test_a_rule_without_its_threshold_does_not_run_and_says_so(uow):
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    persons.add_person(
        uow, "clerk", psn_no=CLEAN1, name="职工", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", CLEAN1, 10000_00, "opening", date(2025, 1, 1))
    claims.post_claim(uow, "feed", ledger_claim("X1", CLEAN1, "2025-02-01", "100.00"))
    result = monitor(uow, date(2025, 1, 1), date(2025, 12, 31))
    states = {st["rule_id"]: st for st in result["rules"]}
    assert not states["R06"]["ran"] and states["R06"]["missing"] == ["monitor.readmission.days"]
    assert not states["R11"]["ran"]
    assert states["R01"]["ran"] and states["R03"]["ran"]  # no threshold: they always run
    assert result["findings"] == []


def test_saved_runs_report_what_is_new_and_reviews_are_appended(planted, engine):
    first = monitor(planted, date(2025, 1, 1), date(2025, 12, 31), save=True, operator="inspector")
    assert first["new"] == 10 and first["run"] is not None
    again = monitor(planted, date(2025, 1, 1), date(2025, 12, 31), save=True, operator="inspector")
    assert again["new"] == 0 and all(not f["new"] for f in again["findings"])
    jr = found(again)[("R03", ("D1", "D2"))]["jr_id"]
    review(planted, "inspector", jr, "confirmed", "two receipts for one visit")
    review(planted, "chief", jr, "dismissed", "a second visit that day, both real")
    later = found(monitor(planted, date(2025, 1, 1), date(2025, 12, 31)))
    assert later[("R03", ("D1", "D2"))]["review"] == "dismissed"  # the newest verdict stands
    with engine.connect() as conn:
        verdicts = conn.execute(text("SELECT verdict, operator FROM finding_reviews ORDER BY id")).all()
    assert [tuple(v) for v in verdicts] == [("confirmed", "inspector"), ("dismissed", "chief")]
    # a new case after the saved run is the only new finding
    claims.post_claim(planted, "feed", ledger_claim("D3", CLEAN2, "2025-12-20", "70.00"))
    claims.post_claim(planted, "feed", ledger_claim("D4", CLEAN2, "2025-12-20", "70.00"))
    third = monitor(planted, date(2025, 1, 1), date(2025, 12, 31))
    assert [(f["rule_id"], f["setl_ids"]) for f in third["findings"] if f["new"]] == [("R03", ["D3", "D4"])]


def test_what_the_books_cannot_hold_is_found_where_their_guards_were_set_aside(planted, engine):
    """R02, R10's unbound payments and R12 find what posting refuses: damage made with the
    database's guards off (as a restored backup or a hand edit would leave it), in a
    transaction that is rolled back."""
    from sqlalchemy.orm import Session

    from ledger.services.monitor import run_rules
    from tests.integration.test_verify import unguarded

    with unguarded(engine, "claims", "family_bindings", "enrollments") as conn:
        # R02: CR1 (CLEAN_RES, 2025-09-10, fund 110.00) as if its patient had enrolled late,
        # on 2025-07-01, after the central period: the waiting period runs to 2025-10-01 (3 months)
        conn.execute(text(f"UPDATE enrollments SET enrolled_on = '2025-07-01' WHERE psn_no = '{CLEAN_RES}'"))
        # R10: M1 paid by HOLDER under a binding made, so it now says, the day after
        conn.execute(text(f"UPDATE family_bindings SET bound_on = '2025-09-11' WHERE member_psn_no = '{SPOUSE}'"))
        # R12: CL1's cash raised by 0.01, so its personal share no longer adds up
        conn.execute(text("UPDATE claims SET psn_cash_pay = psn_cash_pay + 1 WHERE setl_id = 'CL1'"))
        _states, findings = run_rules(Session(bind=conn), date(2025, 1, 1), date(2025, 12, 31), ["R02", "R10", "R12"])
    got = {(f.rule_id, f.setl_ids, f.form) for f in findings}
    assert got == {
        ("R02", ("CR1",), 0),
        ("R10", ("M1", "M2", "M3", "M4"), 0),  # the four members in September, as before
        ("R10", ("M1",), 1),  # and M1 under a binding not active that day
        ("R12", ("CL1",), 0),
    }
    r02 = next(f for f in findings if f.rule_id == "R02")
    assert r02.amount == 110_00 and r02.sentence() == (
        "the funds paid 110.00 on 2025-09-10, inside the waiting period that ends 2025-10-01"
    )


def test_each_area_is_judged_by_its_own_thresholds(planted, engine):
    """Changchun (220100) gives R06 5 days and R08 2 pharmacies a day, and no R07
    thresholds; Songyuan (220700) keeps MONITOR. STAY, PHARM and FREQ are moved to
    Changchun (Chaoyang district, 220102), in a transaction that is rolled back."""
    from sqlalchemy.orm import Session

    from ledger.services.monitor import run_rules
    from tests.integration.test_verify import unguarded

    changchun = {"monitor.readmission.days": "5", "monitor.pharmacies.max_per_day": "2"}
    policies.load_policy(planted, "clerk", policy_text(changchun, "220100", "2025-01-01"), "changchun.toml")
    with unguarded(engine, "persons") as conn:
        conn.execute(text(f"UPDATE persons SET region = '220102' WHERE psn_no IN ('{STAY}', '{PHARM}', '{FREQ}')"))
        states, findings = run_rules(
            Session(bind=conn), date(2025, 1, 1), date(2025, 12, 31), ["R04", "R06", "R07", "R08"]
        )
    state = {(st["area"], st["rule_id"]): st for st in states}
    assert [(st["area"], st["rule_id"]) for st in states] == [
        (area, rule) for area in ("220100", "220700") for rule in ("R04", "R06", "R07", "R08")
    ]
    assert state[("220100", "R06")]["thresholds"] == {"monitor.readmission.days": 5}
    assert state[("220700", "R06")]["thresholds"] == {"monitor.readmission.days": 15}
    assert not state[("220100", "R07")]["ran"] and state[("220700", "R07")]["ran"]
    # R04 needs no threshold: S1 and S2 overlap wherever STAY lives.
    # R06: S3 is admitted 2025-05-20, 8 days after S2's discharge of 2025-05-12 (20 - 12 = 8):
    # within Songyuan's 15 days, not within Changchun's 5.
    # R07: FREQ's six settlements in six days are not judged where no threshold is given.
    # R08: PHARM's three pharmacies on 2025-07-01 are more than Changchun's 2 as well.
    assert {(f.rule_id, f.setl_ids) for f in findings} == {("R04", ("S1", "S2")), ("R08", ("P1", "P2", "P3"))}


def test_every_overlap_of_nested_stays_and_each_readmission_once(planted):
    """NA (H5, 03-01 to 03-20) holds NB (H5, 03-05 to 03-08) and NC (H6, 03-10 to 03-12);
    NB and NC do not overlap (03-08 < 03-10). At H7, R1 (04-01 to 04-05), R2 (04-10 to
    04-12) and R3 (04-20 to 04-22): R2 comes 10 - 5 = 5 days after R1's discharge, R3
    20 - 12 = 8 days after R2's; R3 is 20 - 5 = 15 days after R1's, but R2 came between,
    so R3 is a readmission after R2 only, and its money is counted once."""
    psn = pid("22070219700111001")  # an employee, born 11 January 1970
    persons.add_person(
        uow := planted, "clerk", psn_no=psn, name="职工", insutype="310", psn_type="1101", region="220702",
        enrolled=[2025],
    )  # fmt: skip
    accounts.credit(uow, "clerk", psn, 10000_00, "opening", date(2025, 1, 1))
    stays = [
        ("NA", "H5", "2025-03-01", "2025-03-20", "3000.00"),
        ("NB", "H5", "2025-03-05", "2025-03-08", "1000.00"),
        ("NC", "H6", "2025-03-10", "2025-03-12", "1000.00"),
        ("R1", "H7", "2025-04-01", "2025-04-05", "1200.00"),
        ("R2", "H7", "2025-04-10", "2025-04-12", "1200.00"),
        ("R3", "H7", "2025-04-20", "2025-04-22", "1200.00"),
    ]
    records = [
        platform(setl_id, psn, f"{end} 10:00:00", fee, "21", place, (begin, end))
        for setl_id, place, begin, end, fee in stays
    ]
    results = list(national.post_records(uow, "feed", enumerate(records, 1)))
    assert [r.status for r in results] == ["posted"] * len(records), [(r.setl_id, r.errors) for r in results]
    result = monitor(uow, date(2025, 1, 1), date(2025, 12, 31), ["R04", "R06"])
    mine = {(f["rule_id"], tuple(f["setl_ids"])): f for f in result["findings"] if f["patn_id"] == psn}
    assert set(mine) == {("R04", ("NA", "NB")), ("R04", ("NA", "NC")), ("R06", ("R1", "R2")), ("R06", ("R2", "R3"))}
    # the account (10000.00) pays every personal share: a stay's money at risk is its fee
    assert str(mine[("R06", ("R2", "R3"))]["vola_amt"]) == "1200.00"
    assert (
        mine[("R06", ("R1", "R2"))]["vola_cont"]
        == "readmitted at H7 on 2025-04-10, 5 days after the discharge of 2025-04-05"
    )


def test_each_rule_run_alone_finds_what_it_finds_among_all(planted):
    """R03, R07 and R09 share a first pass when they run together (and R09 orders its days
    by R07's window then): alone, or in any company, each finds the same."""
    together = found(monitor(planted, date(2025, 1, 1), date(2025, 12, 31)))
    planted_cases = {("R03", ("D1", "D2")), ("R07", tuple(f"F{n}" for n in range(1, 7))), ("R09", ("K1", "K2"))}
    assert planted_cases <= set(together)
    for rules in (["R03"], ["R07"], ["R09"], ["R03", "R09"], ["R07", "R09"]):
        apart = found(monitor(planted, date(2025, 1, 1), date(2025, 12, 31), rules))
        assert set(apart) == {key for key in together if key[0] in rules}, rules


def test_two_institutions_either_side_of_midnight_are_too_close(planted):
    """N1 at H1 on 2025-08-31 23:50 and N2 at H4 on 2025-09-01 00:05: 15 minutes apart,
    fewer than 30, on two days."""
    psn = pid("22070219700112001")  # an employee, born 12 January 1970
    persons.add_person(
        planted, "clerk", psn_no=psn, name="职工", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(planted, "clerk", psn, 10000_00, "opening", date(2025, 1, 1))
    records = [
        platform("N1", psn, "2025-08-31 23:50:00", "100.00", "11", "H1"),
        platform("N2", psn, "2025-09-01 00:05:00", "100.00", "11", "H4"),
    ]
    results = list(national.post_records(planted, "feed", enumerate(records, 1)))
    assert [r.status for r in results] == ["posted", "posted"], [(r.setl_id, r.errors) for r in results]
    for rules in (["R09"], ["R07", "R09"]):
        mine = [
            f for f in monitor(planted, date(2025, 1, 1), date(2025, 12, 31), rules)["findings"] if f["patn_id"] == psn
        ]
        assert [(f["rule_id"], f["setl_ids"]) for f in mine] == [("R09", ["N1", "N2"])], rules


def test_an_id_that_is_no_rule_is_refused_by_name_not_run_as_another(uow):
    """The finders are one registry with the rules: an unknown id is an error naming it,
    never a run of R12 (the last branch of what was a chain of ifs)."""
    from ledger.errors import ValidationError
    from ledger.rules.monitoring import RULES
    from ledger.services.monitor import FINDERS, run_rules

    assert FINDERS.keys() == RULES.keys()
    with uow.read_only(), pytest.raises(ValidationError, match="R99: no such rule; the rules are R01"):
        run_rules(uow.session, date(2025, 1, 1), date(2025, 12, 31), ["R12", "R99"])
