"""Cancellations in the platform's own shapes (docs/national-records.md, "Refunds and
cancellations"): a 2208 or 2305 output has negative amounts and no refd_setl_flag, and names
its settlement by its own setl_id (2208 repeats it) or by the visit (mdtrt_id); a 2305 gives no
person at all. Each reverses its claim once; posted again, a duplicate."""

import json

import pytest

from tests.ids import WORKER
from tests.platform_records import AGREES, DIFFERS, Num, add_worker, write

# The amounts a cancellation negates (the real 2208 of tests/data/platform negates every one
# that is not 0, and sends null for psn_part_amt and hosp_part_amt).
AMOUNTS = (
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc",
    "hifp_pay", "fund_pay_sumamt", "psn_pay", "acct_pay", "cash_payamt",
)  # fmt: skip


@pytest.fixture
def worker(run):
    return add_worker(run)


def cancellation(record: dict, **changes) -> dict:
    """`record`'s cancellation as a 2208 output gives it: the same setl_id, every amount
    negated, no refd_setl_flag, balc the balance after."""
    out = {k: v for k, v in record.items() if k != "refd_setl_flag"}
    for f in AMOUNTS:
        if out[f] not in ("0.00", "0"):
            out[f] = Num("-" + out[f])
    out |= {"psn_part_amt": None, "hosp_part_amt": None}
    return out | changes


def post(run, path):
    return run("claim", "post", "--profile", "national", path, "--json")


def results(r) -> list[dict]:
    return [json.loads(line) for line in r.stdout.splitlines()]


def balance(run) -> str:
    return json.loads(run("account", "show", WORKER, "--json").stdout)["balance"]


def outpatient(run) -> dict:
    usage = json.loads(run("usage", WORKER, "--year", "2025", "--json").stdout)
    return next(b for b in usage["buckets"] if b["bucket"] == "outpatient")


def test_a_2208_cancellation_reverses_its_claim_and_again_is_a_duplicate(run, worker, tmp_path, db_url):
    assert post(run, write(tmp_path, AGREES)).exit_code == 0
    # N1 took 515.00 of the account (1000.00 -> 485.00), 300.00 of the deductible, 285.00 of the cap.
    assert (balance(run), outpatient(run)["deductible_met"], outpatient(run)["fund_paid"]) == (
        "485.00",
        "300.00",
        "285.00",
    )
    cancel = cancellation(AGREES, balc=Num("1000.00"), setl_time="2025-03-01 10:05:00")
    r = post(run, write(tmp_path, cancel))
    assert r.exit_code == 0, r.output
    assert [(o["setl_id"], o["status"]) for o in results(r)] == [("N1", "reversed")]
    # Given back: 1000.00 in the account (the record's balc), nothing of the deductible or cap.
    assert (balance(run), outpatient(run)["deductible_met"], outpatient(run)["fund_paid"]) == (
        "1000.00",
        "0.00",
        "0.00",
    )
    shown = json.loads(run("claim", "show", "N1", "--json").stdout)
    assert shown["reversal"]["reason"] == "cancellation record N1 (negative amounts, no refd_setl_flag)"
    assert shown["reversal"]["reversed_on"] == "2025-03-01"

    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as c:
        before = c.execute(text("SELECT count(*) FROM journal_entries")).scalar_one()
    again = post(run, write(tmp_path, cancel))
    assert again.exit_code == 0 and [o["status"] for o in results(again)] == ["duplicate"], again.output
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM journal_entries")).scalar_one() == before  # nothing written
    engine.dispose()
    assert run("verify").exit_code == 0


def test_a_2305_cancellation_naming_no_person_finds_its_claim_by_the_visit(run, worker, tmp_path):
    assert post(run, write(tmp_path, AGREES, DIFFERS)).exit_code == 0
    # As Chongqing's 2305: its own setl_id, no psn_no, certno, name or med_type; the visit MN2.
    cancel = cancellation(DIFFERS, setl_id="C2305", balc=Num("485.00"))
    for gone in ("psn_no", "certno", "psn_cert_type", "psn_name", "med_type"):
        del cancel[gone]
    r = post(run, write(tmp_path, cancel))
    assert r.exit_code == 0, r.output
    assert results(r)[0]["status"] == "reversed"
    # N2 paid 485.00 from the account: back to 485.00 (what N1 left).
    assert balance(run) == "485.00"
    assert json.loads(run("claim", "show", "N2", "--json").stdout)["reversal"] is not None
    assert json.loads(run("claim", "show", "N1", "--json").stdout)["reversal"] is None
    again = post(run, write(tmp_path, cancel))  # posted again: a duplicate, N1 untouched
    assert [o["status"] for o in results(again)] == ["duplicate"] and balance(run) == "485.00"


def test_a_visit_cancelled_and_settled_again_keeps_its_new_claim_when_the_cancellation_comes_again(
    run, worker, tmp_path
):
    # N1 (visit MN1) cancelled by a 2305-shaped record of its own setl_id, then the visit
    # settled again (N1B, same mdtrt_id, the same 800.00). The cancellation posted again is a
    # duplicate: it reversed N1 already, and N1B was settled after it.
    assert post(run, write(tmp_path, AGREES)).exit_code == 0
    cancel = cancellation(AGREES, setl_id="C1", setl_time="2025-03-01 10:05:00", balc=Num("1000.00"))
    for gone in ("psn_no", "certno", "psn_cert_type"):
        del cancel[gone]
    assert [o["status"] for o in results(post(run, write(tmp_path, cancel)))] == ["reversed"]
    again = AGREES | {"setl_id": "N1B", "setl_time": "2025-03-01 10:30:00"}
    assert [o["status"] for o in results(post(run, write(tmp_path, again)))] == ["posted"]
    r = post(run, write(tmp_path, cancel))
    assert r.exit_code == 0 and [o["status"] for o in results(r)] == ["duplicate"], r.output
    assert json.loads(run("claim", "show", "N1B", "--json").stdout)["reversal"] is None
    assert balance(run) == "485.00"  # 1000.00 - 515.00: N1B stands
    assert run("verify").exit_code == 0


def test_a_cancellation_of_a_claim_never_posted_is_one_error_and_the_rest_posts(run, worker, tmp_path):
    never = cancellation(DIFFERS, setl_id="X1", mdtrt_id="MX1")
    r = post(run, write(tmp_path, never, AGREES))
    assert r.exit_code == 1
    assert [(o["setl_id"], o["status"], o["errors"]) for o in results(r)] == [
        ("X1", "rejected", ["setl_id: no claim X1 is posted to cancel, nor one of mdtrt_id MX1"]),
        ("N1", "posted", []),
    ]


def test_a_cancellation_of_part_of_a_claim_or_of_another_persons_is_refused(run, worker, tmp_path):
    assert post(run, write(tmp_path, AGREES)).exit_code == 0
    part = cancellation(AGREES, medfee_sumamt=Num("-400.00"))
    r = post(run, write(tmp_path, part))
    assert results(r)[0]["errors"] == [
        "medfee_sumamt: the refund is -400.00, claim N1 was 800.00: only a whole claim is refunded"
    ]
    other = cancellation(AGREES, certno="11010519491231002X", psn_no="22000000000000000000000077")
    r = post(run, write(tmp_path, other))
    assert results(r)[0]["errors"] == ["certno: claim N1 is not this person's"]
    assert balance(run) == "485.00"  # nothing reversed
