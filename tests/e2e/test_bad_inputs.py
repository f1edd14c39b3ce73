"""A corpus of bad inputs across every command: each gets one clear message naming what is
wrong, a non-zero exit, and changes nothing.

The books before each: the worker (employee, 1000.00) with his son (resident) bound to him,
the test policy file loaded and one claim S1 posted. `{f}` in an argument is a file written
for the case (of text, of bytes, or of what a function makes when the case runs: a workbook
bomb is not built at import); `{dir}` a folder."""

import json

import pytest

from tests.claim_policy import CLAIM_POLICY
from tests.ids import RETIREE, STUDENT, WORKER
from tests.platform_records import Num, record_text
from tests.unit.test_xlsx import SHEET, inline_row, streamed_book
from tests.unit.test_xlsx import book as xlsx_book

BAD_CHECK_DIGIT = WORKER[:-1] + "6"  # the right check character is 5
UNKNOWN = RETIREE  # valid, never registered
CLAIM = {
    "setl_id": "N1",
    "psn_no": WORKER,
    "service_date": "2025-03-01",
    "med_type": "11",
    "hosp_lv": "2",
    "medfee_sumamt": "100.00",
}
CLAIM_CSV_HEADER = "setl_id,psn_no,service_date,med_type,hosp_lv,medfee_sumamt"
ADD = ["person", "add"]
SEND, AT = ["wallet", "transfer", WORKER, STUDENT], ["--at", "2025-06-02T09:00"]
EMPLOYEE = ["--insutype", "310", "--psn-type", "1101", "--region", "220702", "--name", "某人"]


def claim_file(**change):
    return json.dumps(CLAIM | change, ensure_ascii=False)


def platform_record(**change) -> str:
    """CLAIM as the national platform writes it (docs/national-records.md), with `change`."""
    fields = {
        "setl_id": "N1", "mdtrt_id": "M1", "psn_no": "P1", "psn_cert_type": "01", "certno": WORKER,
        "setl_time": "2025-03-01 09:00:00", "med_type": "11", "hosp_lv": "05", "dedc_hosp_lv": "",
        "medfee_sumamt": Num("100.00"), "hifp_pay": Num("0"), "acct_pay": Num("100.00"), "refd_setl_flag": "0",
        "psn_name": "李建国",
    } | change  # fmt: skip
    return record_text(fields)


def persons_book(rows: str) -> bytes:
    """A workbook of persons: its header, then `rows`."""
    return xlsx_book(inline_row(1, "psn_no", "name", "insutype", "psn_type", "region") + rows)


def claims_book(rows: str) -> bytes:
    """A workbook of claims: its header, CLAIM on row 2, then `rows`."""
    header = inline_row(1, *CLAIM)
    return xlsx_book(header + inline_row(2, *CLAIM.values()) + rows)


def policy(
    params: str,
    head: str = 'region = "220700"\nregion_name = "T"\ntitle = "t"\neffective_from = 2026-01-01\n[sources.doc]\ntitle = "d"\ngrade = "D"\n',
):
    return head + params


# (id, command, file content or None, what the one message must say)
COMMANDS = [
    # person add
    ("add: wrong check digit", [*ADD, BAD_CHECK_DIGIT, *EMPLOYEE], None, "check digit is wrong"),
    ("add: 17 characters", [*ADD, WORKER[:17], *EMPLOYEE], None, "18 characters"),
    ("add: letters in the number", [*ADD, "22070219780611A035", *EMPLOYEE], None, "psn_no"),
    ("add: impossible birth date", [*ADD, "220702197813110035", *EMPLOYEE], None, "psn_no"),
    ("add: already registered", [*ADD, WORKER, *EMPLOYEE], None, "already registered"),
    (
        "add: unknown insutype",
        [*ADD, UNKNOWN, "--name", "x", "--insutype", "311", "--region", "220702"],
        None,
        "insutype",
    ),
    (
        "add: unknown person type",
        [*ADD, UNKNOWN, "--name", "x", "--insutype", "310", "--psn-type", "9999", "--region", "220702"],
        None,
        "psn_type",
    ),
    (
        "add: region of 5 digits",
        [*ADD, UNKNOWN, "--name", "x", "--insutype", "310", "--psn-type", "1201", "--region", "22070"],
        None,
        "region",
    ),
    (
        "add: resident without category",
        [*ADD, UNKNOWN, "--name", "x", "--insutype", "390", "--region", "220702"],
        None,
        "resident_category",
    ),
    (
        "add: name of 500 characters",
        [*ADD, UNKNOWN, "--name", "名" * 500, "--insutype", "310", "--psn-type", "1201", "--region", "220702"],
        None,
        "name",
    ),
    (
        "add: year not a number",
        [
            *ADD,
            UNKNOWN,
            "--name",
            "x",
            "--insutype",
            "310",
            "--psn-type",
            "1201",
            "--region",
            "220702",
            "--enrolled",
            "20x5",
        ],
        None,
        "year",
    ),
    # person import
    ("import: CSV missing a column", ["person", "import", "{f}"], "psn_no,name\n" + UNKNOWN + ",x\n", "insutype"),
    (
        "import: CSV extra column",
        ["person", "import", "{f}"],
        f"psn_no,name,insutype,psn_type,region,shoe_size\n{UNKNOWN},x,310,1201,220702,42\n",
        "shoe_size",
    ),
    (
        # a value under no heading is refused, not dropped
        "import: a cell beyond the header",
        ["person", "import", "{f}"],
        f"psn_no,name,insutype,psn_type,region\n{UNKNOWN},x,310,1201,220702,42\n",
        "line 2: 6 cells, beyond the 5 columns of the header",
    ),
    (
        # GBK is read as GB18030 (tests/e2e/test_spreadsheet_input.py); UTF-16 is neither
        "import: UTF-16, neither UTF-8 nor GB18030",
        ["person", "import", "{f}"],
        f"psn_no,name,insutype,psn_type,region\n{UNKNOWN},王芳,310,1201,220702\n".encode("utf-16"),
        "UTF-8",
    ),
    ("import: a JSON array", ["person", "import", "{f}"], '[["not", "an", "object"]]', "a JSON array is not read here"),
    (
        "import: a JSON line that is a number",
        ["person", "import", "{f}"],
        '{"psn_no": "x"}\n42\n',
        "line 2: expected a JSON object",
    ),
    (
        "import: a header and no rows",
        ["person", "import", "{f}"],
        "psn_no,name,insutype,psn_type,region\n",
        "holds no rows",
    ),
    (
        "import: JSON nested 100,000 deep",
        ["person", "import", "{f}"],
        '{"psn_no": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
        "line 1: not valid JSON (nested too deeply)",
    ),
    (
        "import: a 5,000-digit number",
        ["person", "import", "{f}"],
        '{"psn_no": ' + "9" * 5000 + "}\n",
        "line 1: not valid JSON (Exceeds the limit",
    ),
    (
        "import: a key given twice",
        ["person", "import", "{f}"],
        '{"psn_no": "x", "name": "a", "psn_no": "y"}\n',
        "key 'psn_no' appears twice",
    ),
    (
        "import: a CSV cell over 128 KiB",
        ["person", "import", "{f}"],
        f"psn_no,name,insutype,psn_type,region\n{UNKNOWN},{'x' * 200_000},310,1201,220702\n",
        "line 2: not a CSV row",
    ),
    (
        "credit-monthly: JSON nested deep",
        ["account", "credit-monthly", "--month", "2025-03", "--file", "{f}"],
        '{"base": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
        "nested too deeply",
    ),
    (
        "credit-monthly: a key given twice",
        ["account", "credit-monthly", "--month", "2025-03", "--file", "{f}"],
        f'{{"psn_no": "{WORKER}", "base": "1.00", "base": "9999.00"}}\n',
        "key 'base' appears twice",
    ),
    (
        "import: wrong check digit on a row",
        ["person", "import", "{f}"],
        f"psn_no,name,insutype,psn_type,region\n{BAD_CHECK_DIGIT},x,310,1201,220702\n",
        "check digit",
    ),
    # person enroll
    ("enroll: year 1800", ["person", "enroll", WORKER, "--year", "1800"], None, "year"),
    ("enroll: unknown person", ["person", "enroll", UNKNOWN, "--year", "2025"], None, "no person"),
    ("enroll: already enrolled", ["person", "enroll", WORKER, "--year", "2025"], None, "already enrolled"),
    ("enroll: 30 February", ["person", "enroll", WORKER, "--year", "2026", "--date", "2025-02-30"], None, "--date"),
    (
        "enroll: date in the future",
        ["person", "enroll", WORKER, "--year", "2026", "--date", "2999-01-01"],
        None,
        "in the future",
    ),
    # account credit
    (
        "credit: three decimals",
        ["account", "credit", WORKER, "12.345", "--reason", "x"],
        None,
        "more than two decimals",
    ),
    ("credit: negative", ["account", "credit", WORKER, "-5", "--reason", "x"], None, "must not be negative"),
    ("credit: exponent", ["account", "credit", WORKER, "1e3", "--reason", "x"], None, "is not a number"),
    (
        # thousands grouped as a spreadsheet shows them (1,000.00) are read; grouped
        # otherwise they are no number
        "credit: thousands grouped wrong",
        ["account", "credit", WORKER, "1,00.00", "--reason", "x"],
        None,
        "is not a number",
    ),
    ("credit: zero", ["account", "credit", WORKER, "0.00", "--reason", "x"], None, "greater than zero"),
    (
        "credit: beyond the largest amount",
        ["account", "credit", WORKER, "10000000000.00", "--reason", "x"],
        None,
        "largest amount",
    ),
    (
        "credit: a resident has no account",
        ["account", "credit", STUDENT, "1.00", "--reason", "x"],
        None,
        "no personal account",
    ),
    ("credit: blank reason", ["account", "credit", WORKER, "1.00", "--reason", "  "], None, "reason"),
    ("credit: unknown person", ["account", "credit", UNKNOWN, "1.00", "--reason", "x"], None, "no person"),
    ("credit: fullwidth digits", ["account", "credit", WORKER, "１００", "--reason", "x"], None, "is not a number"),
    # account statement / credit-monthly
    (
        "statement: window backwards",
        ["account", "statement", WORKER, "--from", "2025-03-01", "--to", "2025-02-01"],
        None,
        "--from",
    ),
    ("credit-monthly: month 13", ["account", "credit-monthly", "--month", "2025-13"], None, "--month"),
    ("credit-monthly: month not begun", ["account", "credit-monthly", "--month", "2999-01"], None, "has not begun"),
    (
        "credit-monthly: bad base",
        ["account", "credit-monthly", "--month", "2025-03", "--file", "{f}"],
        f"psn_no,base\n{WORKER},abc\n",
        "base",
    ),
    # family
    (
        "bind: a resident cannot hold",
        ["family", "bind", STUDENT, WORKER, "--relation", "parent", "--date", "2025-02-01"],
        None,
        "no personal account",
    ),
    ("bind: oneself", ["family", "bind", WORKER, WORKER, "--relation", "spouse"], None, "own account"),
    ("bind: unknown relation", ["family", "bind", WORKER, STUDENT, "--relation", "cousin"], None, "--relation"),
    (
        "bind: already bound",
        ["family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-02-01"],
        None,
        "already bound",
    ),
    (
        "bind: a child older than the holder",
        ["family", "bind", STUDENT, WORKER, "--relation", "child"],
        None,
        "no personal account",
    ),
    ("unbind: a pair never bound", ["family", "unbind", WORKER, UNKNOWN], None, "no person"),
    (
        "unbind: before a day it paid",
        ["family", "unbind", WORKER, STUDENT, "--date", "2025-03-01"],
        None,
        "would end the binding before claim S2",
    ),
    (
        "pay-contribution: an employee member",
        ["family", "pay-contribution", WORKER, WORKER, "--year", "2026"],
        None,
        "employee",
    ),
    (
        "pay-contribution: year not a number",
        ["family", "pay-contribution", WORKER, STUDENT, "--year", "abc"],
        None,
        "is not a year",
    ),
    # policy
    ("policy load: not TOML", ["policy", "load", "{f}"], "region = ", "not valid TOML"),
    (
        "policy load: no source",
        ["policy", "load", "{f}"],
        policy('[parameters."employee.outpatient.annual_cap"]\nvalue = "1.00"\n'),
        "source",
    ),
    (
        "policy load: ratio above 1",
        ["policy", "load", "{f}"],
        policy('[parameters."employee.outpatient.ratio.in_service.level1"]\nvalue = "1.5"\nsource = "doc"\n'),
        "ratio",
    ),
    (
        "policy load: unknown parameter",
        ["policy", "load", "{f}"],
        policy('[parameters."employee.outpatient.free_lunch"]\nvalue = "1.00"\nsource = "doc"\n'),
        "free_lunch",
    ),
    (
        "policy load: money with 3 decimals",
        ["policy", "load", "{f}"],
        policy('[parameters."employee.outpatient.annual_cap"]\nvalue = "1.005"\nsource = "doc"\n'),
        "decimals",
    ),
    ("policy load: not UTF-8", ["policy", "load", "{f}"], policy('title2 = "松原"\n').encode("gbk"), "UTF-8"),
    ("policy load: the same file twice", ["policy", "load", "{f}"], CLAIM_POLICY, "already loaded"),
    ("policy show: region of 5 digits", ["policy", "show", "22070", "2025"], None, "region"),
    # claims (a file whose every row is bad posts nothing)
    ("claim: unknown med_type", ["claim", "post", "{f}"], claim_file(med_type="99"), "med_type"),
    ("claim: level 4", ["claim", "post", "{f}"], claim_file(hosp_lv="4"), "hosp_lv"),
    ("claim: 30 February", ["claim", "post", "{f}"], claim_file(service_date="2025-02-30"), "service_date"),
    ("claim: fee not a number", ["claim", "post", "{f}"], claim_file(medfee_sumamt="abc"), "medfee_sumamt"),
    (
        "claim: fee as a JSON float",
        ["claim", "post", "{f}"],
        json.dumps(CLAIM | {"medfee_sumamt": 100.1}),
        "medfee_sumamt",
    ),
    ("claim: fee of 0.00", ["claim", "post", "{f}"], claim_file(medfee_sumamt="0.00"), "medfee_sumamt"),
    (
        "claim: fee beyond the largest amount",
        ["claim", "post", "{f}"],
        claim_file(medfee_sumamt="99999999999999999999.99"),
        "largest amount",
    ),
    (
        "claim: exclusions above the fee",
        ["claim", "post", "{f}"],
        claim_file(fulamt_ownpay_amt="150.00"),
        "fulamt_ownpay_amt",
    ),
    ("claim: wrong check digit", ["claim", "post", "{f}"], claim_file(psn_no=BAD_CHECK_DIGIT), "check digit"),
    ("claim: unknown person", ["claim", "post", "{f}"], claim_file(psn_no=UNKNOWN), "no person"),
    ("claim: setl_id of 300 characters", ["claim", "post", "{f}"], claim_file(setl_id="S" * 300), "setl_id"),
    ("claim: unknown field", ["claim", "post", "{f}"], claim_file(tip="5.00"), "tip"),
    (
        "claim: payer not bound",
        ["claim", "post", "{f}"],
        claim_file(psn_no=STUDENT, mulaid_payer=WORKER, service_date="2025-01-01"),
        "mulaid_payer",
    ),
    (
        "claim: same setl_id, other content",
        ["claim", "post", "{f}"],
        claim_file(setl_id="S1", medfee_sumamt="999.00"),
        "different content",
    ),
    (
        "claim: service date in the future",
        ["claim", "post", "{f}"],
        claim_file(service_date="2999-01-01"),
        "service_date",
    ),
    ("claim: not enrolled that year", ["claim", "post", "{f}"], claim_file(service_date="2024-06-01"), "enrolled"),
    (
        "claim: CSV missing a column",
        ["claim", "post", "{f}"],
        "setl_id,psn_no,service_date,med_type,hosp_lv\nN1,x,2025-03-01,11,2\n",
        "medfee_sumamt",
    ),
    (
        "claim: CSV extra column",
        ["claim", "post", "{f}"],
        CLAIM_CSV_HEADER + ",tip\n" + f"N1,{WORKER},2025-03-01,11,2,100.00,5\n",
        "tip",
    ),
    ("claim: a bare number (read as CSV)", ["claim", "post", "{f}"], "42", "unknown column(s) '42'"),
    ("claim: JSON array of a string", ["claim", "post", "{f}"], '["N1"]', "expected a JSON object"),
    ("claim: truncated JSON", ["claim", "post", "{f}"], '{"setl_id": "N1", "psn_no": ', "JSON"),
    (
        "claim: Latin-1, neither UTF-8 nor GB18030",
        ["claim", "post", "{f}"],
        CLAIM_CSV_HEADER.encode() + f"\ncafé,{WORKER},2025-03-01,11,2,100.00\n".encode("latin-1"),
        "is not UTF-8 text (byte 0xe9)",
    ),
    (
        # a GBK file is read as one (docs/cli.md), and its row judged as any other
        "claim: GBK, a Chinese setl_id",
        ["claim", "post", "{f}"],
        CLAIM_CSV_HEADER.encode() + f"\n中文,{WORKER},2025-03-01,11,2,100.00\n".encode("gbk"),
        "setl_id: is 1-64 letters, digits or _ . : - (got '中文')",
    ),
    (
        "claim: a day written neither way",
        ["claim", "post", "{f}"],
        CLAIM_CSV_HEADER.encode() + f"\nD9,{WORKER},5/1/2025,11,2,100.00\n".encode(),
        "is a date written YYYY-MM-DD, YYYY/M/D or YYYYMMDD (got '5/1/2025')",
    ),
    (
        "claim: a workbook that is no workbook",
        ["claim", "post", "{f}"],
        b"PK\x03\x04 and then nothing a zip holds",
        "not an .xlsx workbook the ledger can read",
    ),
    # workbooks made by hand to hurt (tests/unit/test_xlsx.py): each refused whole, in one
    # message naming the sheet (结算) and the cell; a bomb is built when its case runs
    (
        "import: a workbook cell in column ZZZZZZZZZZ",
        ["person", "import", "{f}"],
        persons_book('<row r="2"><c r="ZZZZZZZZZZ2"><v>1</v></c></row>'),
        "结算!ZZZZZZZZZZ2: column beyond XFD, the last a sheet has",
    ),
    (
        # it read the last string, and imported that person
        "import: a workbook cell of shared string -1",
        ["person", "import", "{f}"],
        persons_book('<row r="2"><c r="A2" t="s"><v>-1</v></c></row>'),
        "结算!A2: refers to shared string -1, not one of the workbook's 4",
    ),
    (
        "import: a workbook's rows out of order",
        ["person", "import", "{f}"],
        persons_book('<row r="3"><c r="A3"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>'),
        "结算 row 2: comes after row 3; rows go down the sheet in order",
    ),
    (
        "import: a workbook cell of 500 MB",
        ["person", "import", "{f}"],
        lambda: streamed_book('<row r="1"><c r="A1" t="inlineStr"><is><t>', b"x", 500 << 20, "</t></is></c></row>"),
        "结算: is larger than 256 MiB uncompressed, the most the ledger reads",
    ),
    (
        "credit-monthly: a workbook cell of shared string 4",
        ["account", "credit-monthly", "--month", "2025-03", "--file", "{f}"],
        xlsx_book(inline_row(1, "psn_no", "base") + '<row r="2"><c r="A2" t="s"><v>4</v></c></row>'),
        "结算!A2: refers to shared string 4, not one of the workbook's 4",
    ),
    (
        # refused before the good claim on row 2 is posted
        "claim: a workbook cell of shared string 99 after a good row",
        ["claim", "post", "{f}"],
        claims_book('<row r="3"><c r="A3" t="s"><v>99</v></c></row>'),
        "结算!A3: refers to shared string 99, not one of the workbook's 4",
    ),
    (
        "claim: a workbook cell of 100 MB",
        ["claim", "post", "{f}"],
        lambda: streamed_book('<row r="1"><c r="A1" t="inlineStr"><is><t>', b"x", 100 << 20, "</t></is></c></row>"),
        "结算!A1: holds more than 32,767 characters, the most a cell holds",
    ),
    (
        "claim: a workbook of 300 MB of blanks",
        ["claim", "post", "{f}"],
        lambda: streamed_book('<row r="1"><c r="A1"><v>1</v></c></row>', b" ", 300 << 20, ""),
        "结算: is larger than 256 MiB uncompressed, the most the ledger reads",
    ),
    (
        "claim: a workbook with a DTD",
        ["claim", "post", "{f}"],
        xlsx_book("", replaced={SHEET: '<!DOCTYPE x [<!ENTITY a "ha">]><worksheet/>'}),
        "结算: holds a document type declaration (<!DOCTYPE>), which no spreadsheet writes",
    ),
    ("enroll: fullwidth year", ["person", "enroll", WORKER, "--year", "２０２６"], None, "is not a year"),
    (
        "add: fullwidth region",
        [*ADD, UNKNOWN, "--name", "x", "--insutype", "310", "--psn-type", "1201", "--region", "２２０７０２"],
        None,
        "region",
    ),
    (
        "claim: fullwidth fee",
        ["claim", "post", "{f}"],
        claim_file(medfee_sumamt="１００.00"),
        "medfee_sumamt: is not a number",
    ),
    ("claim reverse: unknown setl_id", ["claim", "reverse", "NOPE", "--reason", "x"], None, "NOPE"),
    ("claim reverse: no reason", ["claim", "reverse", "S1", "--reason", " "], None, "reason"),
    (
        "claim reverse: date in the future",
        ["claim", "reverse", "S1", "--reason", "x", "--date", "2999-01-01"],
        None,
        "in the future",
    ),
    ("claim show: unknown setl_id", ["claim", "show", "NOPE"], None, "NOPE"),
    ("usage: year of 5 digits", ["usage", WORKER, "--year", "20255"], None, "year"),
    ("usage: unknown person", ["usage", UNKNOWN, "--year", "2025"], None, "no person"),
    # claim post --profile national: the platform's own records, spoilt one field at a time
    *(
        (
            f"national: {name}",
            ["claim", "post", "--profile", "national", "{f}"],
            "[1]" if change is None else platform_record(**change),
            says,
        )
        for name, change, says in (
            ("ID card type 02", {"psn_cert_type": "02"}, "psn_cert_type: 02 is not 01"),
            ("maternity", {"med_type": "52"}, "med_type: 52 (生育住院) is maternity insurance"),
            ("provincial med_type", {"med_type": "9901"}, "med_type: 9901 is not a code the national profile maps"),
            ("three decimals", {"medfee_sumamt": Num("100.001")}, "medfee_sumamt: has more than two decimals"),
            ("exponent", {"medfee_sumamt": Num("1e2")}, "medfee_sumamt: is not an amount in yuan"),
            ("no grade", {"hosp_lv": "11"}, "fixmedins_code: the record names no institution and gives no level"),
            ("unknown grade", {"hosp_lv": "12"}, "hosp_lv: 12 is not a hospital grade"),
            ("negative fee", {"medfee_sumamt": Num("-100.00")}, "medfee_sumamt: must not be negative"),
            ("slashed time", {"setl_time": "2025/03/01 09:00:00"}, "setl_time: is a time yyyy-MM-dd HH:mm:ss"),
            ("no person", {"certno": "", "psn_no": ""}, "certno: is required"),
            ("unknown platform number", {"certno": ""}, "the platform's person number P1 is not known yet"),
            ("refund without original", {"refd_setl_flag": "1"}, "init_setl_id: is required on a refund record"),
            (
                "refund of nothing",
                {"refd_setl_flag": "1", "init_setl_id": "NOPE", "medfee_sumamt": Num("-100.00")},
                "init_setl_id: no claim 'NOPE' is posted",
            ),
            (
                "refund of part",
                {"refd_setl_flag": "1", "init_setl_id": "S1", "medfee_sumamt": Num("-1.00")},
                "the refund is -1.00, claim S1 was 100.00",
            ),
            ("not an object", None, "expected a JSON object"),
        )
    ),
    # the health-insurance wallet (docs/wallet.md): the worker to his bound son, both in Songyuan
    ("wallet: more than one transfer may move", [*SEND, "2000.01", *AT], None, "(2000.00, wallet.transfer.max_amount)"),
    ("wallet: in the quiet hours", [*SEND, "100.00", "--at", "2025-06-02T22:30"], None, "in the quiet hours"),
    ("wallet: before it is enabled", [*SEND, "100.00", "--at", "2025-03-09T09:00"], None, "from 2025-03-10"),
    ("wallet: more than the account holds", [*SEND, "1500.00", *AT], None, "less than the transfer of 1500.00"),
    ("wallet: negative amount", [*SEND, "-5.00", *AT], None, "must not be negative"),
    ("wallet: zero", [*SEND, "0.00", *AT], None, "AMOUNT"),
    ("wallet: amount with three decimals", [*SEND, "1.005", *AT], None, "AMOUNT"),
    ("wallet: a time without minutes", [*SEND, "100.00", "--at", "2025-06-02 9"], None, "'--at': is a local time"),
    ("wallet: in the future", [*SEND, "100.00", "--at", "2999-01-01T09:00"], None, "is in the future"),
    (
        "wallet: to the holder himself",
        ["wallet", "transfer", WORKER, WORKER, "100.00", "--relation", "parent", *AT],
        None,
        "not to the holder's own wallet",
    ),
    (
        "wallet: a relation the binding contradicts",
        [*SEND, "100.00", "--relation", "spouse", *AT],
        None,
        "disagrees with the pair's family binding, which says child",
    ),
    ("wallet: unknown relation", [*SEND, "100.00", "--relation", "cousin", *AT], None, "--relation"),
    ("wallet: unknown member", ["wallet", "transfer", WORKER, UNKNOWN, "100.00", *AT], None, "no person"),
    ("wallet: bad holder number", ["wallet", "transfer", BAD_CHECK_DIGIT, STUDENT, "1.00"], None, "check digit"),
    ("wallet show: no wallet", ["wallet", "show", STUDENT], None, "has no 医保钱包"),
    ("wallet show: bad number", ["wallet", "show", BAD_CHECK_DIGIT], None, "check digit"),
    # year-end
    ("rollover: a year not over", ["rollover", "--year", "2099"], None, "is not over"),
    ("rollover: year not a number", ["rollover", "--year", "last"], None, "year"),
    ("rollover: chunk of 0", ["rollover", "--year", "2024", "--chunk", "0"], None, "--chunk"),
]


@pytest.fixture
def books(run, tmp_path):
    f = tmp_path / "claims-policy.toml"
    f.write_text(CLAIM_POLICY)
    for args in (
        ("policy", "load", f),
        (
            *ADD,
            WORKER,
            "--name",
            "李建国",
            "--insutype",
            "310",
            "--psn-type",
            "1101",
            "--region",
            "220702",
            "--enrolled",
            "2025",
        ),
        (
            *ADD,
            STUDENT,
            "--name",
            "李明",
            "--insutype",
            "390",
            "--resident-category",
            "ordinary",
            "--region",
            "220702",
            "--enrolled",
            "2025",
        ),
        ("account", "credit", WORKER, "1000.00", "--reason", "opening balance", "--date", "2025-01-01"),
        ("family", "bind", WORKER, STUDENT, "child", "--date", "2025-01-02"),
    ):
        r = run(*args)
        if args[:2] == ("family", "bind"):
            r = run("family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-01-02")
        assert r.exit_code == 0, r.output
    # S1: the worker's own; S2: his son's, paid from his account on 2025-03-05
    posted = tmp_path / "posted.jsonl"
    posted.write_text(
        claim_file(setl_id="S1") + "\n" + claim_file(setl_id="S2", psn_no=STUDENT, service_date="2025-03-05") + "\n"
    )
    r = run("claim", "post", posted)
    assert r.exit_code == 0 and "2 posted" in r.output, r.output


def test_the_corpus_is_large_and_covers_every_command():
    assert len(COMMANDS) >= 50
    covered = {
        tuple(c[:2]) if c[0] in ("person", "account", "family", "policy", "claim", "wallet") else (c[0],)
        for _, c, _, _ in COMMANDS
    }
    assert covered >= {
        ("person", "add"),
        ("person", "import"),
        ("person", "enroll"),
        ("account", "credit"),
        ("account", "statement"),
        ("account", "credit-monthly"),
        ("family", "bind"),
        ("family", "unbind"),
        ("family", "pay-contribution"),
        ("policy", "load"),
        ("policy", "show"),
        ("claim", "post"),
        ("claim", "reverse"),
        ("claim", "show"),
        ("usage",),
        ("rollover",),
        ("wallet", "transfer"),
        ("wallet", "show"),
    }


@pytest.mark.parametrize("command, content, says", [c[1:] for c in COMMANDS], ids=[c[0] for c in COMMANDS])
def test_a_bad_input_gets_one_clear_message_a_nonzero_exit_and_changes_nothing(
    run, books, snapshot, tmp_path, command, content, says
):
    f = tmp_path / "input"
    if callable(content):  # a file too large to make at import: made when its case runs
        content = content()
    if content is not None:
        f.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = snapshot()
    r = run(*(str(a).replace("{f}", str(f)) for a in command))
    assert r.exit_code != 0, r.output
    assert "Traceback" not in r.output
    if command[:2] == ["claim", "post"] and not r.stderr.startswith("Error:"):
        # a file read whole, every row refused: the row's message, then the summary
        rejected = [line for line in r.output.splitlines() if line.startswith("line ")]
        assert len(rejected) == 1 and says in rejected[0], r.output
        assert "0 posted" in r.output and "1 rejected" in r.output
    else:
        # one error; a file refused whole lists its bad rows under it
        assert [line for line in r.stderr.splitlines() if line.startswith("Error:")] == [
            r.stderr.splitlines()[-1 if "Usage:" in r.stderr else 0]
        ], r.stderr
        assert says in r.stderr, r.stderr
    assert snapshot() == before
