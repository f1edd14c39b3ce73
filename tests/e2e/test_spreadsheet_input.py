"""Files a spreadsheet saved (formats/encodings.py): a CSV saved on a Chinese system is
GB18030 (GBK), and imports the same rows as its UTF-8 twin; `--encoding` names it outright."""

import json

import pytest

from ledger.formats.encodings import decode
from ledger.formats.rows import read_rows
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
