"""Privacy and accountability: every write records who made it; ID numbers are masked in
what people read (220702********0035) and whole in what scripts read (--json); no message
ever prints a database password."""

import json
import os
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from ledger.cli import cli
from ledger.db.engine import make_engine, normalize_url
from tests.claim_policy import CLAIM_POLICY
from tests.ids import STUDENT, WORKER

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
CLAIM = {
    "setl_id": "P1",
    "psn_no": STUDENT,
    "service_date": "2025-03-01",
    "med_type": "11",
    "hosp_lv": "2",
    "medfee_sumamt": "300.00",
}


def _writes(tmp_path) -> list[tuple[str, ...]]:
    """Every command that writes, in an order that works."""
    pol = tmp_path / "claims.toml"
    pol.write_text(CLAIM_POLICY)
    feed = tmp_path / "claims.jsonl"
    feed.write_text(json.dumps(CLAIM) + "\n")
    people = tmp_path / "people.csv"
    people.write_text(
        f"psn_no,name,insutype,resident_category,region,enrolled\n{STUDENT},李明,390,ordinary,220702,2025\n"
    )
    return [
        ("policy", "load", str(pol)),
        (
            "person",
            "add",
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
        ("person", "import", str(people)),
        ("person", "enroll", WORKER, "--year", "2026", "--date", "2025-12-01"),
        ("account", "credit", WORKER, "1000.00", "--reason", "opening balance", "--date", "2025-01-01"),
        ("family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-01-02"),
        ("claim", "post", str(feed)),
        ("claim", "reverse", "P1", "--reason", "entered twice", "--date", "2025-03-02"),
        ("family", "pay-contribution", WORKER, STUDENT, "--year", "2026", "--date", "2025-12-01"),
        ("family", "unbind", WORKER, STUDENT, "--date", "2025-12-02"),
        ("rollover", "--year", "2025"),
    ]


OPERATOR_COLUMNS = ("operator", "loaded_by", "bound_by", "ended_by")


def test_every_write_records_its_operator(run, engine, tmp_path):
    for n, args in enumerate(_writes(tmp_path)):
        r = run(*args, operator=f"clerk-{n}")
        assert r.exit_code == 0, (args, r.output)
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for col in inspect(conn).get_columns(table):
                if col["name"] in OPERATOR_COLUMNS:
                    for (who,) in conn.execute(
                        text(f"SELECT DISTINCT {col['name']} FROM {table} WHERE {col['name']} IS NOT NULL")
                    ):
                        found.setdefault(who, set()).add(table)
    # each command's operator is on what it wrote, and nobody else is
    assert set(found) == {f"clerk-{n}" for n in range(len(_writes(tmp_path)))}
    assert "audit_log" in found["clerk-1"] and "journal_postings" in found["clerk-4"]
    assert {"claims", "journal_postings"} <= found["clerk-6"] and {"claim_reversals", "audit_log"} <= found["clerk-7"]
    assert "rollovers" in found["clerk-10"]


def test_human_output_masks_id_numbers_and_json_keeps_them(run, tmp_path):
    for args in _writes(tmp_path)[:8]:
        r = run(*args)
        assert r.exit_code == 0, r.output
        assert not FULL_ID.findall(r.output), (args, r.output)
    reads = [
        ("person", "show", WORKER),
        ("account", "show", WORKER),
        ("account", "statement", WORKER),
        ("family", "list", WORKER),
        ("claim", "show", "P1"),
        ("usage", STUDENT, "--year", "2025"),
        ("verify",),
    ]
    for args in reads:
        human = run(*args)
        assert human.exit_code == 0 and not FULL_ID.findall(human.output), (args, human.output)
        assert "220702********0035" in human.output or "220702********0136" in human.output or args == ("verify",)
    for args in reads[:-1]:
        whole = run(*args, "--json")
        assert whole.exit_code == 0 and (WORKER in whole.stdout or STUDENT in whole.stdout), (args, whole.stdout)
        assert "*" not in "".join(FULL_ID.findall(whole.stdout))
    # refusals too: the message names the person masked
    r = run("account", "credit", STUDENT, "1.00", "--reason", "x")
    assert r.exit_code == 1 and "220702********0136" in r.stderr and STUDENT not in r.stderr


SECRET = "s3cret-pw"


def _unreachable_urls():
    return [
        f"postgresql://clerk:{SECRET}@127.0.0.1:1/ledger",  # nothing listens
        f"postgresql://clerk:{SECRET}@127.0.0.1:notaport/ledger",  # malformed
        f"mysql://clerk:{SECRET}@127.0.0.1/ledger",  # not a backend we run on
    ]


@pytest.mark.parametrize("url", _unreachable_urls())
@pytest.mark.parametrize(
    "args", [("verify",), ("db", "upgrade"), ("person", "show", WORKER), ("demo",), ("claim", "post", "-")]
)
def test_no_message_prints_a_database_password(url, args):
    for how in ("option", "environment") if args != ("demo",) else ("option",):  # the demo reads only --db
        runner = CliRunner(env={"LEDGER_DATABASE_URL": url} if how == "environment" else {})
        r = runner.invoke(cli, [*(["--db", url] if how == "option" else []), *args], input="{}", catch_exceptions=False)
        assert r.exit_code != 0
        assert SECRET not in r.output and "Traceback" not in r.output, r.output


@pytest.mark.skipif(
    not os.environ.get("LEDGER_TEST_DATABASE_URL"),
    reason="needs the PostgreSQL server (trust auth accepts any password)",
)
def test_a_working_url_with_a_password_is_never_echoed(db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the demo writes its report into the current folder
    with_password = normalize_url(db_url).set(password=SECRET).render_as_string(hide_password=False)
    assert SECRET in with_password
    for args in (("db", "upgrade"), ("db", "check"), ("verify",), ("demo",), ("person", "show", WORKER)):
        r = CliRunner().invoke(cli, ["--db", with_password, *args], catch_exceptions=False)
        assert SECRET not in r.output, (args, r.output)
    make_engine(db_url).dispose()


def test_a_password_with_an_unencoded_at_sign_is_refused_without_a_word_of_it():
    """'clerk:s3cret@tail9@host': read as written, 'tail9@127.0.0.1' went to DNS as the host
    and into the message. Refused before any lookup; written as %40 it is the password."""
    url = "postgresql://clerk:s3cret@tail9@127.0.0.1:5432/ledger"
    for how in ("option", "environment"):
        runner = CliRunner(env={"LEDGER_DATABASE_URL": url} if how == "environment" else {})
        r = runner.invoke(cli, [*(["--db", url] if how == "option" else []), "verify"], catch_exceptions=False)
        assert (r.exit_code, r.output.strip()) == (
            1,
            "Error: --db: the URL holds more than one '@' before its host: write an '@' in the user name or password as %40",
        )
    assert normalize_url("postgresql://clerk:s3cret%40tail9@127.0.0.1:5432/ledger").password == "s3cret@tail9"


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("connect_timeout=x", "Error: --db: the database driver refuses the URL: bad value for connect_timeout"),
        ("bogus=1", 'Error: --db: the database driver refuses the URL: invalid connection option "bogus"'),
    ],
)
def test_a_url_option_the_driver_refuses_is_a_clear_db_error_not_an_internal_one(query, said):
    url = f"postgresql://clerk:{SECRET}@127.0.0.1:5432/ledger?{query}"
    r = CliRunner().invoke(cli, ["--db", url, "verify"], catch_exceptions=False)
    assert (r.exit_code, r.output.strip()) == (4, said)  # the database cannot be reached as given
