"""`ledger claim post --profile national`: the platform's settlement records posted as they
come, with what the ledger does not read kept beside the claim, other funds in their own
books, refunds reversing their original. Figures worked by hand under the Songyuan seed."""

import json
from pathlib import Path

import pytest

from tests.ids import WORKER
from tests.platform_records import AGREES, DIFFERS, Num, add_worker, write


@pytest.fixture
def worker(run):
    return add_worker(run)


def post(run, path, *more):
    return run("claim", "post", "--profile", "national", path, "--json", *more)


def results(r) -> list[dict]:
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_records_post_with_the_ledgers_own_figures(run, worker, tmp_path, reading):
    r = post(run, write(tmp_path, AGREES, DIFFERS))
    assert r.exit_code == 0, r.output
    out = results(r)
    # N1: 800.00 at 二级甲等 (level 2): fund (800 - 300) x 57% = 285.00; account 515.00.
    # N2: 1000.00 at 三级甲等 (level 3): fund (1000 - 100) x 50% = 450.00 (the ledger's,
    #     not the platform's 450.01); account 1000.00 - 515.00 = 485.00; cash 550.00 - 485.00 = 65.00.
    assert [
        (o["setl_id"], o["status"], o["hosp_lv"], o["hifp_pay"], o["acct_pay"], o["psn_cash_pay"]) for o in out
    ] == [
        ("N1", "posted", "2", "285.00", "515.00", "0.00"),
        ("N2", "posted", "3", "450.00", "485.00", "65.00"),
    ]
    assert out[0]["psn_no"] == WORKER and out[0]["service_date"] == "2025-03-01"
    assert run("verify").exit_code == 0


def test_what_the_ledger_does_not_read_is_kept_and_shown(run, worker, tmp_path):
    record = AGREES | {"exp_content": '{"note": "扩展"}', "nwb_flag": "0"}
    assert post(run, write(tmp_path, record)).exit_code == 0
    shown = json.loads(run("claim", "show", "N1", "--json").stdout)
    assert shown["fixmedins_code"] == "H22070200001"
    src = shown["source"]
    assert (src["profile"], src["mdtrt_id"], src["platform_psn_no"], src["fixmedins_name"]) == (
        "national", "MN1", "22000000000000000000000012", "松原市某医院",
    )  # fmt: skip
    assert (src["setl_time"], src["begndate"], src["enddate"]) == ("2025-03-01 09:30:00", "2025-03-01", "2025-03-01")
    received = src["received"]
    assert received["exp_content"] == '{"note": "扩展"}'  # a field no list of ours names
    assert received["psn_name"] == "李建国" and received["emp_name"] == "松原市某单位" and received["age"] == "46.0"
    assert received["hifp_pay"] == "285.00"  # the platform's own figure, for a later reconcile
    # The whole record, every field in its order (those the ledger read too), as the file has it.
    assert list(received) == list(record) and received["setl_id"] == "N1"


def test_the_record_is_kept_as_the_very_text_of_its_row(run, worker, tmp_path, db_url, reading):
    # Numbers as the platform writes them, "800.00" and "0", stay that text: never read back
    # through a float (800.0) nor written again.
    from sqlalchemy import Text, cast, create_engine, select

    from ledger.db.models import ClaimSource
    from tests.platform_records import record_text

    assert post(run, write(tmp_path, AGREES)).exit_code == 0
    with create_engine(db_url).connect() as c:
        stored = c.execute(select(cast(ClaimSource.received, Text))).scalar_one()
    assert stored == record_text(AGREES)
    assert '"medfee_sumamt": 800.00' in stored


def test_the_platform_person_number_finds_the_person_after_the_first_record(run, worker, tmp_path):
    # N2 without certno: the number was learnt from N1 (same file, earlier chunk or not).
    later = DIFFERS | {"certno": "", "psn_cert_type": ""}
    r = post(run, write(tmp_path, AGREES, later), "--chunk", "1")
    assert r.exit_code == 0, r.output
    assert [o["psn_no"] for o in results(r)] == [WORKER, WORKER]


@pytest.mark.parametrize("remembered", [200_000, 0], ids=["remembered", "memory full"])
def test_a_number_found_once_in_a_run_still_finds_its_person_and_still_refuses_another(
    run, worker, tmp_path, monkeypatch, remembered
):
    """A chunk at a time: N1 teaches the number; N2 finds it in the books, N3 by what the run
    found there before (services/national.resolve); N4 gives another person's ID number with
    it and is refused just the same."""
    from tests.ids import RETIREE

    assert run("person", "add", RETIREE, "--name", "王秀英", "--insutype", "310", "--psn-type", "1201",
               "--region", "220702", "--enrolled", "2025").exit_code == 0  # fmt: skip
    from ledger.services import national

    monkeypatch.setattr(national, "SEEN", remembered)  # 0: the memory starts over every chunk
    alone = {"certno": "", "psn_cert_type": ""}
    records = [
        AGREES,
        DIFFERS | alone,
        DIFFERS | alone | {"setl_id": "N3"},
        DIFFERS | {"setl_id": "N4", "certno": RETIREE},
    ]
    r = post(run, write(tmp_path, *records), "--chunk", "1")
    assert r.exit_code == 1, r.output
    out = results(r)
    assert [(o["setl_id"], o["status"]) for o in out] == [
        ("N1", "posted"),
        ("N2", "posted"),
        ("N3", "posted"),
        ("N4", "rejected"),
    ]
    assert [o["psn_no"] for o in out[:3]] == [WORKER, WORKER, WORKER]
    assert "the platform's person number 22000000000000000000000012 is 220702********0035's" in out[3]["errors"][0]


@pytest.mark.parametrize("chunk", ["1", "500"], ids=["a chunk a record", "one chunk"])
def test_a_number_learnt_earlier_in_the_same_file_is_held_to_as_in_a_later_file(run, worker, tmp_path, chunk):
    """N1 teaches the number 22000000000000000000000012 as the worker's; N3, two lines on in
    the same file, gives it with another person's ID number: refused, as it is in a later
    file. N4 gives it without certno: the worker's, found by what N1 taught."""
    from tests.ids import RETIREE

    assert run("person", "add", RETIREE, "--name", "王秀英", "--insutype", "310", "--psn-type", "1201",
               "--region", "220702", "--enrolled", "2025").exit_code == 0  # fmt: skip
    alone = {"certno": "", "psn_cert_type": ""}
    records = [
        AGREES,
        DIFFERS | {"setl_id": "N2", "psn_no": "22000000000000000000000099", "certno": RETIREE},
        DIFFERS | {"setl_id": "N3", "certno": RETIREE},
        DIFFERS | alone | {"setl_id": "N4"},
    ]
    r = post(run, write(tmp_path, *records), "--chunk", chunk)
    assert r.exit_code == 1, r.output
    out = results(r)
    assert [(o["setl_id"], o["status"], o.get("psn_no")) for o in out] == [
        ("N1", "posted", WORKER),
        ("N2", "posted", RETIREE),
        ("N3", "rejected", "22000000000000000000000012"),  # a rejected record says what it gave
        ("N4", "posted", WORKER),
    ]
    assert "the platform's person number 22000000000000000000000012 is 220702********0035's" in out[2]["errors"][0]


def test_a_platform_number_given_with_another_persons_id_is_refused(run, worker, tmp_path, reading):
    from tests.ids import RETIREE

    assert run("person", "add", RETIREE, "--name", "王秀英", "--insutype", "310", "--psn-type", "1201",
               "--region", "220702", "--enrolled", "2025").exit_code == 0  # fmt: skip
    assert post(run, write(tmp_path, AGREES)).exit_code == 0
    r = post(run, write(tmp_path, DIFFERS | {"certno": RETIREE}))
    assert r.exit_code == 1
    assert (
        "psn_no: the platform's person number 22000000000000000000000012 is 220702********0035's"
        in results(r)[0]["errors"][0]
    )


def test_other_funds_pay_before_the_accounts_in_their_own_books(run, worker, tmp_path, engine):
    from sqlalchemy import text

    # 800.00 at level 2: fund 285.00, personal 515.00; medical assistance (maf_pay) 100.00
    # pays first, the account 415.00, cash 0.00.
    r = post(run, write(tmp_path, AGREES | {"maf_pay": Num("100.00")}))
    assert r.exit_code == 0, r.output
    o = results(r)[0]
    assert (o["psn_part_amt"], o["other_funds_pay"], o["acct_pay"], o["psn_cash_pay"]) == (
        "515.00", "100.00", "415.00", "0.00",
    )  # fmt: skip
    with engine.connect() as conn:
        books = dict(conn.execute(text("SELECT book, amount FROM journal_entries WHERE posting_id = "
                                       "(SELECT posting_id FROM claims WHERE setl_id = 'N1')")).all())  # fmt: skip
    assert books["medical_assistance"] == -10000 and books["provider"] == 80000 and "patient_cash" not in books
    assert json.loads(run("claim", "show", "N1", "--json").stdout)["source"]["maf_pay"] == "100.00"
    assert run("verify").exit_code == 0


def test_other_funds_above_the_personal_share_are_refused(run, worker, tmp_path, snapshot):
    before = snapshot()
    r = post(run, write(tmp_path, AGREES | {"maf_pay": Num("600.00")}))
    assert r.exit_code == 1
    assert results(r)[0]["errors"] == [
        "other funds: cvlserv_pay, hifes_pay, maf_pay, oth_pay and hosp_part_amt pay 600.00, "
        "more than the personal share 515.00 the ledger leaves after the basic scheme"
    ]
    after = snapshot()
    # A usage counter may have opened at zero for the chunk; nothing else is written.
    assert {t: rows for t, rows in after.items() if t != "benefit_usage"} == {
        t: rows for t, rows in before.items() if t != "benefit_usage"
    }


# Bad records, each with the one field at fault, as `claim post` reports them (line, setl_id: message).
BAD_RECORDS = [
    (AGREES | {"setl_id": "B1", "med_type": "51"},
     "line 1, setl_id B1: med_type: 51 (生育门诊) is maternity insurance (生育保险), which these books do not keep"),
    (AGREES | {"setl_id": "B2", "medfee_sumamt": Num("12.345")},
     "line 2, setl_id B2: medfee_sumamt: has more than two decimals (got 12.345); amounts are in yuan to the fen"),
    (AGREES | {"setl_id": "B3", "psn_cert_type": "02"},
     "line 3, setl_id B3: psn_cert_type: 02 is not 01 (居民身份证): the ledger knows persons by their ID number"),
]  # fmt: skip


@pytest.mark.parametrize("given", ["as FILE", "on standard input"])
def test_a_bad_record_is_reported_by_its_field_whether_read_here_or_ahead(run, worker, tmp_path, reading, given):
    """Read ahead (a second process: standard input, a long file, LEDGER_READ_AHEAD=1), a
    bad record is reported as it is read here, naming its field: never "expected a JSON
    object" for a record that is one. A value that is no object still says so."""
    path = write(tmp_path, *(bad for bad, _message in BAD_RECORDS))
    with open(path, "a", encoding="utf-8") as f:
        f.write("7\n")  # line 4: a JSON number, not a record
    if given == "as FILE":
        r = run("claim", "post", "--profile", "national", path)
    else:
        r = run("claim", "post", "--profile", "national", "-", input=Path(path).read_bytes())
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines()[:4] == [
        *(message for _bad, message in BAD_RECORDS),
        "line 4, setl_id ?: record: expected a JSON object (a settlement record)",
    ]


REFUND = AGREES | {"setl_id": "N1R", "refd_setl_flag": "1", "init_setl_id": "N1", "setl_time": "2025-03-02 08:00:00",
                   "medfee_sumamt": Num("-800.00"), "hifp_pay": Num("-285.00"), "acct_pay": Num("-515.00")}  # fmt: skip


def test_a_refund_record_reverses_its_original_and_posting_again_changes_nothing(run, worker, tmp_path, reading):
    path = write(tmp_path, AGREES, REFUND)
    r = post(run, path)
    assert r.exit_code == 0, r.output
    assert [(o["setl_id"], o["status"]) for o in results(r)] == [("N1", "posted"), ("N1R", "reversed")]
    assert "1 reversed by refund records" in r.stderr
    shown = json.loads(run("claim", "show", "N1", "--json").stdout)
    assert shown["reversal"]["reason"] == "refund record N1R (refd_setl_flag 1)"
    assert shown["reversal"]["reversed_on"] == "2025-03-02"
    # the account has its 515.00 back: 1000.00 again
    assert json.loads(run("account", "show", WORKER, "--json").stdout)["balance"] == "1000.00"
    again = post(run, path)
    assert again.exit_code == 0, again.output
    assert [o["status"] for o in results(again)] == ["duplicate", "duplicate"]
    assert run("verify").exit_code == 0


@pytest.mark.parametrize("flag", ["2", "01", "Y"])
def test_a_refund_flag_neither_0_nor_1_is_refused_by_name(run, worker, tmp_path, snapshot, flag):
    """refd_setl_flag 0 is a settlement, 1 a refund; any other value is not guessed at:
    were it a correction or a refund, posting it as a settlement would pay twice."""
    before = snapshot()
    r = run("claim", "post", "--profile", "national", write(tmp_path, AGREES | {"refd_setl_flag": flag}))
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines()[0] == (
        f"line 1, setl_id N1: refd_setl_flag: {flag} is not a flag the national profile maps: "
        "0 (a settlement) or 1 (a refund) (docs/national-records.md)"
    )
    assert snapshot() == before  # refused as it is read: nothing is written, not even a counter


@pytest.mark.parametrize(
    "refund, message",
    [
        (REFUND | {"init_setl_id": "NOPE"}, "init_setl_id: no claim 'NOPE' is posted"),
        (REFUND | {"medfee_sumamt": Num("-100.00")}, "medfee_sumamt: the refund is -100.00, claim N1 was 800.00"),
    ],
)
def test_a_refund_that_names_no_claim_or_part_of_one_is_refused(run, worker, tmp_path, refund, message):
    r = post(run, write(tmp_path, AGREES, refund))
    assert r.exit_code == 1
    assert results(r)[1]["errors"][0].startswith(message)
