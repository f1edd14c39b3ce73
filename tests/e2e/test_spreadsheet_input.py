"""Files a spreadsheet saved (formats/encodings.py): a CSV saved on a Chinese system is
GB18030 (GBK), and imports the same rows as its UTF-8 twin; `--encoding` names it outright."""

import json

import pytest

from ledger.formats.encodings import decode
from ledger.formats.rows import read_rows
from tests.e2e.test_cli_claims import worker  # noqa: F401 - the fixture
from tests.ids import RETIREE, WORKER

PERSONS = (
    "psn_no,name,insutype,psn_type,resident_category,region,enrolled\n"
    f"{WORKER},李建国,310,1101,,220702,2025\n"
    f"{RETIREE},王桂兰（退休）,310,1201,,220702,2025\n"
)
COLUMNS = ("psn_no", "name", "insutype", "psn_type", "resident_category", "region", "enrolled")


class Named:
    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_csv_reads_as_its_utf8_twin(encoding):
    twin = read_rows(Named(PERSONS.encode("utf-8"), "utf8.csv"), COLUMNS, ("psn_no",))
    saved = read_rows(Named(PERSONS.encode(encoding), "gbk.csv"), COLUMNS, ("psn_no",))
    with_bom = read_rows(Named(PERSONS.encode("utf-8-sig"), "bom.csv"), COLUMNS, ("psn_no",))
    assert saved == twin == with_bom
    assert [r["name"] for _, r in saved] == ["李建国", "王桂兰（退休）"]


def test_bytes_that_are_neither_are_refused_with_the_way_out():
    with pytest.raises(
        Exception, match=r"not UTF-8 text \(byte 0xff at offset 0\); save it as UTF-8, or give --encoding gb18030"
    ):
        decode("李建国".encode("utf-16"), "x.csv")
    # what an encoding is named outright is read in it, whatever else it could be
    assert decode("Müller".encode("latin-1"), "x.csv", "latin-1") == "Müller"


def test_person_import_of_a_gbk_file_with_and_without_encoding(run, tmp_path):
    f = tmp_path / "persons.csv"
    f.write_bytes(PERSONS.encode("gbk"))
    r = run("person", "import", str(f), "--json")
    assert (r.exit_code, json.loads(r.stdout)) == (0, {"imported": 2, "errors": []})
    shown = json.loads(run("person", "show", RETIREE, "--json").stdout)
    assert shown["name"] == "王桂兰（退休）"
    bad = run("person", "import", str(f), "--encoding", "klingon")
    assert bad.exit_code == 2 and "'klingon' is not an encoding (write utf-8 or gb18030)" in bad.stderr
    # named outright: the same file again is read, and refused only as already imported
    again = run("person", "import", str(f), "--encoding", "gb18030")
    assert again.exit_code == 1 and "already registered" in again.stderr


# The same two claims as a script writes them and as a spreadsheet on a Chinese system saves
# them: Chinese headings, 2025/3/1 and 20250402 days, a thousands separator, GB18030.
# Songyuan 2025, employee in service at level 2 (the seed): deductible 300.00, ratio 57 %.
# G1 1200.00: fund (1200 - 300) x 57% = 513.00; personal 687.00, all from the account
#    (1000.00 -> 313.00).
# G2 100.00: deductible met; fund 100 x 57% = 57.00; personal 43.00 from the account
#    (313.00 -> 270.00).
SCRIPT = (
    "setl_id,psn_no,service_date,med_type,hosp_lv,medfee_sumamt\n"
    f"G1,{WORKER},2025-03-01,11,2,1200.00\n"
    f"G2,{WORKER},2025-04-02,11,2,100.00\n"
)
SPREADSHEET = (
    "结算ID,身份证号,服务日期,医疗类别,医院级别,医疗费总额\n"
    f'G1,{WORKER},2025/3/1,11,2,"1,200.00"\n'
    f"G2,{WORKER},20250402,11,2,100\n"
)


def posted(r) -> list[tuple]:
    return [
        (x["setl_id"], x["status"], x["service_date"], x["fund_pay_sumamt"], x["acct_pay"], x["balc"])
        for x in map(json.loads, r.stdout.splitlines())
    ]


def test_a_gb18030_claim_file_with_chinese_headings_posts_as_its_utf8_twin(run, worker, tmp_path):  # noqa: F811
    saved = tmp_path / "结算.csv"
    saved.write_bytes(SPREADSHEET.encode("gb18030"))
    r = run("claim", "post", saved, "--json")
    assert r.exit_code == 0, r.output
    assert posted(r) == [
        ("G1", "posted", "2025-03-01", "513.00", "687.00", "313.00"),
        ("G2", "posted", "2025-04-02", "57.00", "43.00", "270.00"),
    ]
    # The script's file is the same claims: every row is a duplicate (same fingerprint),
    # where a difference of content would have been rejected.
    twin = tmp_path / "claims.csv"
    twin.write_text(SCRIPT, encoding="utf-8")
    again = run("claim", "post", twin, "--json")
    assert [(x[0], x[1]) for x in posted(again)] == [("G1", "duplicate"), ("G2", "duplicate")]
    named = run("claim", "post", saved, "--encoding", "gb18030", "--json")
    assert [x[1] for x in posted(named)] == ["duplicate", "duplicate"]


def test_chinese_headings_for_persons_and_bases(tmp_path):
    chinese = PERSONS.replace(
        "psn_no,name,insutype,psn_type,resident_category,region,enrolled",
        "身份证号,姓名,险种类型,人员类别,居民类别,统筹区,参保年度",
    )
    assert read_rows(Named(chinese.encode("gb18030"), "p.csv"), COLUMNS, ("psn_no",)) == read_rows(
        Named(PERSONS.encode(), "p.csv"), COLUMNS, ("psn_no",)
    )
    bases = read_rows(Named(f'身份证号,缴费基数\n{WORKER},"6,350.00"\n'.encode(), "b.csv"), ("psn_no", "base"), ())
    assert bases == [(2, {"psn_no": WORKER, "base": "6,350.00"})]
    with pytest.raises(Exception, match=r"unknown column\(s\) '人员编号'; missing column\(s\) psn_no; the columns"):
        # the platform's 人员编号 is its own number, not the ID number: not a heading for psn_no
        read_rows(Named("人员编号,姓名\nx,y\n".encode(), "p.csv"), COLUMNS, ("psn_no",))


def workbook(path, rows, number_formats=None):
    """An .xlsx as a spreadsheet program saves it: cells of text, numbers and days."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cell, fmt in (number_formats or {}).items():
        ws[cell].number_format = fmt
    wb.save(path)
    return path


def test_an_xlsx_of_persons_imports_as_its_csv_twin(tmp_path):
    # the ID numbers as text (a number would have lost its last digits in the spreadsheet),
    # the enrollment year and region as numbers, a blank cell
    rows = [
        ["身份证号", "姓名", "险种类型", "人员类别", "居民类别", "统筹区", "参保年度"],
        [WORKER, "李建国", 310, 1101, None, 220702, 2025],
        [RETIREE, "王桂兰（退休）", 310, 1201, None, 220702, 2025],
    ]
    book = workbook(tmp_path / "persons.xlsx", rows)
    with open(book, "rb") as f:
        saved = read_rows(f, COLUMNS, ("psn_no",))
    assert saved == read_rows(Named(PERSONS.encode(), "p.csv"), COLUMNS, ("psn_no",))


def test_an_xlsx_of_claims_posts_as_its_csv_twin(run, worker, tmp_path):  # noqa: F811
    from datetime import date

    rows = [
        ["结算ID", "身份证号", "服务日期", "医疗类别", "医院级别", "医疗费总额"],
        ["G1", WORKER, date(2025, 3, 1), "11", 2, 1200],  # a day cell, an amount as a number
        ["G2", WORKER, "2025/4/2", "11", 2, 100.0],  # a day as text
    ]
    book = workbook(tmp_path / "claims.xlsx", rows, {"C2": "yyyy/m/d", "F2": "#,##0.00"})
    r = run("claim", "post", book, "--json")
    assert r.exit_code == 0, r.output
    assert posted(r) == [
        ("G1", "posted", "2025-03-01", "513.00", "687.00", "313.00"),
        ("G2", "posted", "2025-04-02", "57.00", "43.00", "270.00"),
    ]
    twin = tmp_path / "claims.csv"
    twin.write_text(SCRIPT, encoding="utf-8")
    assert [x[1] for x in posted(run("claim", "post", twin, "--json"))] == ["duplicate", "duplicate"]


def test_a_formatted_column_left_empty_beyond_the_header_is_no_cell(run, worker, tmp_path):  # noqa: F811
    # Excel saves a cell given a format and no value (<c r="G2" s="1"/>): under no heading,
    # it holds nothing, and the row is the header's width (G1 as in the twin above)
    rows = [
        ["结算ID", "身份证号", "服务日期", "医疗类别", "医院级别", "医疗费总额"],
        ["G1", WORKER, "2025-03-01", "11", 2, 1200],
    ]
    book = workbook(tmp_path / "claims.xlsx", rows, {"G1": "0.00", "G2": "0.00", "H2": "0.00"})
    r = run("claim", "post", book, "--json")
    assert r.exit_code == 0, r.output
    assert posted(r) == [("G1", "posted", "2025-03-01", "513.00", "687.00", "313.00")]
    with open(
        workbook(tmp_path / "persons.xlsx", [COLUMNS, PERSONS.splitlines()[1].split(",")], {"H1": "@"}), "rb"
    ) as f:
        assert read_rows(f, COLUMNS, ("psn_no",))[0][1]["psn_no"] == WORKER


def test_an_amount_with_more_than_two_decimals_in_a_cell_is_refused_by_its_row(run, worker, tmp_path):  # noqa: F811
    # a cell holds the number as its decimal text (212.499): read as that text, never rounded
    rows = [
        ["setl_id", "psn_no", "service_date", "med_type", "hosp_lv", "medfee_sumamt"],
        ["F1", WORKER, "2025-03-01", "11", "2", 212.499],
    ]
    r = run("claim", "post", workbook(tmp_path / "f.xlsx", rows), "--json")
    assert r.exit_code == 1
    (result,) = map(json.loads, r.stdout.splitlines())
    assert result["status"] == "rejected" and "more than two decimals" in result["errors"][0]
