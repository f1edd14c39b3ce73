"""A well-formed claim is read without the model (a fast path for feeds); every row must come
out exactly as the model alone reads it: the same Claim, or the same message."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.rules import claim_input
from tests.ids import STUDENT, WORKER

GOOD = {
    "setl_id": ["SY1", "a.b:c-d_e", 7],
    "psn_no": [WORKER, WORKER.lower(), f" {WORKER} "],
    "service_date": ["2025-03-01", " 2025-12-31"],
    "med_type": ["11", "21", "41", "140104"],
    "hosp_lv": ["1", "2", 3, None],
    "dise_codg": ["E11.9", None],
    "medfee_sumamt": ["800.00", "0.01", 5, "1234.5"],
    "fulamt_ownpay_amt": ["0", "10.00", None],
    "overlmt_selfpay": ["0.00", None],
    "preselfpay_amt": ["1.00", None],
    "acct_used_flag": ["0", "1", 1, None],
    "mulaid_payer": [STUDENT, None],
}
BAD = [
    "",
    "x",
    "-1.00",
    "1.001",
    1.5,
    True,
    [],
    {},
    "2025-02-30",
    "2025/03/01",
    "99",
    "4",
    WORKER[:-1] + "0",
    "a b",
    "1" * 70,
]


@st.composite
def rows(draw):
    """Mostly well-formed rows, some with a field or two spoilt, missing or unknown."""
    row = {f: draw(st.sampled_from(GOOD[f])) for f in claim_input.FIELDS}
    for f in draw(st.lists(st.sampled_from(claim_input.FIELDS), max_size=2)):
        row[f] = draw(st.sampled_from(BAD))
    for f in draw(st.lists(st.sampled_from(claim_input.FIELDS), max_size=1)):
        row.pop(f)
    if draw(st.integers(0, 9)) == 0:
        row[draw(st.sampled_from(["extra", "Setl_id"]))] = "1"
    return row


def outcome(raw):
    try:
        return ("claim", claim_input.parse_claim(raw))
    except LedgerError as e:
        return ("refused", str(e))


def by_the_model_alone(raw, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(claim_input, "_well_formed", lambda data: None)
        return outcome(raw)


@settings(max_examples=1000, deadline=None)
@given(rows())
def test_every_row_reads_as_the_model_reads_it(raw):
    mp = pytest.MonkeyPatch()
    try:
        assert outcome(raw) == by_the_model_alone(raw, mp)
    finally:
        mp.undo()


def test_a_well_formed_claim_takes_the_fast_path():
    raw = {"setl_id": "A1", "psn_no": WORKER, "service_date": "2025-03-01", "med_type": "11", "medfee_sumamt": "800"}
    c = claim_input._well_formed(raw)
    # 800 yuan is 80000 fen; the three excluded amounts default to 0, accounts may pay
    assert (c.setl_id, c.medfee_sumamt, c.fulamt_ownpay_amt, c.acct_used_flag, c.hosp_lv) == ("A1", 80000, 0, "1", None)


def test_unknown_fields_are_named_together_and_the_known_ones_listed_once():
    raw = {"setl_id": "A1", "psn_no": WORKER, "service_date": "2025-03-01", "med_type": "11", "medfee_sumamt": "8"}
    with pytest.raises(LedgerError) as e:
        claim_input.parse_claim(raw | {"tip": "1", "note": "x"})
    assert str(e.value) == (
        "tip, note: unknown fields (known: setl_id, psn_no, service_date, med_type, hosp_lv, dise_codg, "
        "medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, acct_used_flag, mulaid_payer)"
    )
    assert str(e.value).count("(known:") == 1
