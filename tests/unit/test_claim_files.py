"""The claim file reader never drops or half-reads a file silently: every part of the input
comes out as a row or as a bad row naming its line, and where the reader has to stop it says
so with an Unread row."""

import io
import json

from ledger.formats.claim_files import MAX_ROW, read_claims, text_of
from ledger.rules.claim_input import BadRow, Unread


def read(content: str | bytes) -> list[tuple[int, object]]:
    raw = content.encode() if isinstance(content, str) else content
    return list(read_claims(text_of(io.BytesIO(raw))))


def shape(rows) -> list:
    """(line, setl_id) for a row, (line, message) for a bad one."""
    return [(n, type(r).__name__ + ": " + r.message if isinstance(r, BadRow) else r.get("setl_id")) for n, r in rows]


def obj(setl_id: str, **more) -> str:
    return json.dumps({"setl_id": setl_id, **more})


def test_two_arrays_written_one_after_the_other_are_both_read():
    assert shape(read(f"[{obj('A')}]\n[{obj('B')}, {obj('C')}]")) == [(1, "A"), (2, "B"), (2, "C")]
    assert shape(read(f"[{obj('A')}][{obj('B')}]")) == [(1, "A"), (1, "B")]


def test_an_array_followed_by_json_lines_is_read_whole():
    assert shape(read(f"[{obj('A')}]\n{obj('B')}\n{obj('C')}\n")) == [(1, "A"), (2, "B"), (3, "C")]


def test_garbage_after_an_array_is_reported_not_dropped():
    rows = read(f"[{obj('A')}]\ntrailing words\n{obj('B')}\n")
    assert shape(rows)[0] == (1, "A") and shape(rows)[2] == (3, "B")
    assert rows[1][0] == 2 and rows[1][1].message.startswith("not valid JSON")


def test_json_nested_100000_deep_is_one_bad_row_and_the_next_rows_are_read():
    deep = "[" * 100_000 + "]" * 100_000
    rows = read(f'{obj("A")}\n{{"setl_id": {deep}}}\n{obj("B")}\n')
    assert shape(rows) == [(1, "A"), (2, "BadRow: not valid JSON: nested too deeply"), (3, "B")]
    # inside an array too: the bad item's end is found by its brackets
    rows = read(f"[{obj('A')}, {deep}, {obj('B')}]")
    assert shape(rows) == [(1, "A"), (1, "BadRow: not valid JSON: nested too deeply"), (1, "B")]


def test_an_integer_of_5000_digits_is_one_bad_row():
    rows = read(f'{obj("A")}\n{{"setl_id": "X", "medfee_sumamt": {"9" * 5000}}}\n{obj("B")}\n')
    assert [n for n, _ in rows] == [1, 2, 3]
    assert rows[1][1].message.startswith("not valid JSON: Exceeds the limit (4300 digits)")
    assert shape(rows)[2] == (3, "B")


def test_a_csv_cell_over_128_kib_is_one_bad_row():
    csv = (
        "setl_id,psn_no,service_date,med_type,medfee_sumamt\nA,x,2025-01-01,11,1.00\nB,x,2025-01-01,"
        + "1" * 200_000
        + ",1.00\nC,x,2025-01-01,11,1.00\n"
    )
    rows = read(csv)
    assert shape(rows) == [(2, "A"), (3, "BadRow: not a CSV row: field larger than field limit (131072)"), (4, "C")]


def test_a_byte_that_is_not_utf8_spoils_its_row_only():
    head = "setl_id,psn_no,service_date,med_type,medfee_sumamt\n"
    lines = [f"A{k},x,2025-01-01,11,1.00\n" for k in range(2000)]
    bad = (
        head.encode()
        + "".join(lines[:1000]).encode()
        # a Latin-1 byte: neither UTF-8 nor GB18030 (a GBK row among ASCII ones is a GBK
        # file, and is read as one: tests/e2e/test_spreadsheet_input.py)
        + "B,café,2025-01-01,11,1.00\n".encode("latin-1")
        + "".join(lines[1000:]).encode()
    )
    rows = read(bad)
    assert len(rows) == 2001
    assert shape(rows)[1000] == (1002, "BadRow: is not UTF-8 text (byte 0xe9); save the file as UTF-8")
    assert shape(rows)[1001] == (1003, "A1000")
    # the same in JSON lines, and a bad byte outside any string
    jl = (obj("A") + "\n").encode() + b'{"setl_id": "\xd5\xc5"}\n' + b"\xff\n" + (obj("B") + "\n").encode()
    assert shape(read(jl)) == [
        (1, "A"),
        (2, "BadRow: is not UTF-8 text (byte 0xd5); save the file as UTF-8"),
        (3, "BadRow: is not UTF-8 text (byte 0xff); save the file as UTF-8"),
        (4, "B"),
    ]


def test_a_key_given_twice_is_refused_naming_it():
    row = '{"setl_id": "A", "medfee_sumamt": "10.00", "psn_no": "x", "medfee_sumamt": "9999.00"}'
    assert shape(read(row)) == [
        (1, "BadRow: key 'medfee_sumamt' appears twice in the object; which value is meant cannot be told")
    ]
    assert shape(read(f"[{row}, {obj('B')}]"))[1] == (1, "B")


def test_a_row_longer_than_the_limit_is_refused_and_the_next_is_read():
    long = json.dumps({"setl_id": "L", "memo": "x" * (MAX_ROW + 10)})
    rows = read(f"{obj('A')}\n{long}\n{obj('B')}\n")
    assert shape(rows) == [(1, "A"), (2, f"BadRow: a row longer than {MAX_ROW:,} characters is not read"), (3, "B")]


def test_one_long_line_is_read_in_linear_time():
    """Not a timing assertion: the work, counted as characters decoded, stays within a small
    multiple of the line's length (it used to re-decode the whole buffer after every read)."""
    import ledger.formats.claim_files as cf

    decoded = []
    real = cf.DECODER.raw_decode

    class Counting:
        def raw_decode(self, s, idx=0):
            decoded.append(len(s) - idx)
            return real(s, idx)

    long = json.dumps({"setl_id": "L", "memo": "x" * (MAX_ROW - 100)})
    original = cf.DECODER
    cf.DECODER = Counting()
    try:
        assert shape(read(long)) == [(1, "L")]
    finally:
        cf.DECODER = original
    assert sum(decoded) < 3 * len(long)


def test_an_array_whose_brackets_never_balance_stops_the_reader_and_says_where():
    rows = read(f'[{obj("A")}, {{"setl_id": [1, 2}}, {obj("B")}\n')
    assert shape(rows)[0] == (1, "A")
    assert isinstance(rows[-1][1], Unread) and "the end of this array item cannot be found" in rows[-1][1].message
    rows = read(f"[{obj('A')} {obj('B')}]")
    assert isinstance(rows[-1][1], Unread) and rows[-1][1].message.startswith("expected ',' or ']' between array items")


def test_a_broken_json_line_spoils_that_line_only():
    rows = read(f'{obj("A")}\n{{"setl_id": [1, 2}}\n{obj("B")}\n{{"setl_id": "x" "y"}}\n{obj("C")}\n')
    assert [s if isinstance(s, str) else s for _, s in shape(rows)][::2] == ["A", "B", "C"]
    assert all(isinstance(r, BadRow) and not isinstance(r, Unread) for _, r in rows[1::2])
