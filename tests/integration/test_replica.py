"""Reads on a replica (`--read-db`): a hot standby of the test cluster, made for this module
with pg_basebackup in a throw-away data directory and started on a free port of 127.0.0.1.
Posted on the primary, the figures read on the replica once it has replayed are the
primary's; while its replay is paused, the replica still shows the figures before the last
write, which shows the reads went there and the write did not. A write sent to the replica
is refused with a message that says what it is.

The replica needs replication from 127.0.0.1 allowed (pg_hba.conf; .ci/run allows it under
CI=true), the server's programs, and root or the postgres login to run a server. Without
them the test skips locally and fails under CI.

Figures (Songyuan's seed, employee outpatient at a level-2 hospital: deductible 300.00,
57 %): R1 of 500.00 pays fund (500 - 300) x 57 % = 114.00, and 386.00 from the account,
which held 1000.00: 614.00 left. R2 of 100.00 comes after R1 has met the year's deductible:
fund 100 x 57 % = 57.00, 43.00 from the account, 571.00 left.
"""

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from ledger.cli import cli
from ledger.db.engine import make_engine, normalize_url
from ledger.rules.idcard import check_character
from ledger.services import accounts, claims, persons, policies
from ledger.uow import UnitOfWork
from tests.claim_policy import CLAIM_POLICY
from tests.conftest import IN_CI, PG_URL

WORKER = "22070219700101001" + check_character("22070219700101001")


def _unusable(message: str):
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str) -> list[str]:
    """`command` run as the postgres login (a server refuses to run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def _programs(server) -> Path:
    """The directory of pg_basebackup and pg_ctl for the test cluster's major version."""
    with create_engine(server).connect() as conn:
        major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if (debian / "pg_ctl").exists():
        return debian
    found = shutil.which("pg_ctl")
    if found is None:
        _unusable(f"no pg_ctl for PostgreSQL {major}: the replica test needs the server's programs")
    return Path(found).parent


@pytest.fixture(scope="module")
def standby():
    """The URL (a SQLAlchemy URL with no database) of a hot standby of the test cluster."""
    if not PG_URL:
        pytest.skip("a replica is PostgreSQL's")
    server = normalize_url(PG_URL)
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        _unusable("starting a PostgreSQL server needs root or the postgres login")
    bindir = _programs(server)
    top = Path(tempfile.mkdtemp(prefix="ledger-standby-"))
    data, port = top / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(top, "postgres", "postgres")
    top.chmod(0o700)
    backup = subprocess.run(
        _as_postgres(
            str(bindir / "pg_basebackup"), "-h", server.host or "127.0.0.1", "-p", str(server.port or 5432),
            "-U", server.username or "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast",
        ),
        capture_output=True, text=True,
    )  # fmt: skip
    if backup.returncode != 0:
        shutil.rmtree(top, ignore_errors=True)
        _unusable(f"pg_basebackup of the test cluster failed: {backup.stderr.strip()}")
    # A Debian cluster keeps its settings outside the data directory: the standby's own
    (data / "postgresql.conf").write_text(
        f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{top}'\nhot_standby = on\n"
    )
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for f in ("postgresql.conf", "pg_hba.conf"):
        if os.geteuid() == 0:
            shutil.chown(data / f, "postgres", "postgres")
    ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(top / "log"), "-w"]
    started = subprocess.run(_as_postgres(*ctl, "start"), capture_output=True, text=True)
    if started.returncode != 0:
        log = (top / "log").read_text() if (top / "log").exists() else ""
        shutil.rmtree(top, ignore_errors=True)
        _unusable(f"the standby did not start: {started.stderr.strip()} {log[-500:]}")
    try:
        yield server.set(host="127.0.0.1", port=port)
    finally:
        subprocess.run(_as_postgres(*ctl, "-m", "immediate", "stop"), capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def replica_url(standby, db_url) -> str:
    """The test's database on the standby."""
    return standby.set(database=normalize_url(db_url).database).render_as_string(hide_password=False)


def replayed(primary_url: str, replica_url: str) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    with make_engine(primary_url).connect() as p:
        lsn = p.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    engine = make_engine(replica_url)
    try:
        for _ in range(300):
            with engine.connect() as r:
                if r.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": lsn}).scalar():
                    return
            time.sleep(0.1)
        raise AssertionError(f"the replica had not replayed {lsn} after 30 s")
    finally:
        engine.dispose()


def on_replica(replica_url: str, sql: str) -> None:
    engine = make_engine(replica_url)
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def ledger(db_url: str, *args: str, read: str | None = None):
    extra = ["--read-db", read] if read else []
    return CliRunner().invoke(cli, ["--db", db_url, *extra, "--operator", "clerk", *args], catch_exceptions=False)


READS = [
    ("report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", "--json"),
    ("account", "statement", WORKER, "--json"),
    ("usage", WORKER, "--year", "2025", "--json"),
    ("monitor", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"),
]


def claim(setl_id: str, day: str, fee: str) -> dict:
    return {
        "setl_id": setl_id,
        "psn_no": WORKER,
        "service_date": day,
        "med_type": "11",
        "hosp_lv": "2",
        "medfee_sumamt": fee,
    }


def test_reports_read_on_the_replica_what_the_primary_holds(db_url, replica_url):
    uow = UnitOfWork(make_engine(db_url))
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="职工", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, 1000_00, "opening", date(2025, 1, 1))
    assert claims.post_claim(uow, "feed", claim("R1", "2025-03-01", "500.00")).status == "posted"
    replayed(db_url, replica_url)

    for args in READS:
        primary, replica = ledger(db_url, *args), ledger(db_url, *args, read=replica_url)
        assert replica.exit_code == primary.exit_code == 0, (args, replica.output)
        assert replica.output == primary.output, args
    statement = json.loads(ledger(db_url, "account", "statement", WORKER, "--json", read=replica_url).output)
    assert statement["closing_balance"] == "614.00"  # 1000.00 - 386.00

    # verify reads the replica and records its clean run on the primary
    checked = ledger(db_url, "verify", "--json", read=replica_url)
    assert checked.exit_code == 0 and json.loads(checked.output)["ok"], checked.output
    with make_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM verify_runs")).scalar_one() == 1

    # With its replay paused, the replica still shows the account before R2; the write,
    # given --read-db too, went to the primary.
    feed = Path(tempfile.mkdtemp()) / "r2.csv"
    feed.write_text(f"setl_id,psn_no,service_date,med_type,hosp_lv,medfee_sumamt\nR2,{WORKER},2025-04-01,11,2,100.00\n")
    on_replica(replica_url, "SELECT pg_wal_replay_pause()")
    try:
        posted = ledger(db_url, "claim", "post", str(feed), read=replica_url)
        assert posted.exit_code == 0, posted.output
        balance = {
            where: json.loads(ledger(db_url, "account", "statement", WORKER, "--json", read=r).output)[
                "closing_balance"
            ]
            for where, r in (("primary", None), ("replica", replica_url))
        }
        assert balance == {"primary": "571.00", "replica": "614.00"}  # 614.00 - 43.00 on the primary only
    finally:
        on_replica(replica_url, "SELECT pg_wal_replay_resume()")
        shutil.rmtree(feed.parent, ignore_errors=True)
    replayed(db_url, replica_url)
    for args in READS:
        assert ledger(db_url, *args, read=replica_url).output == ledger(db_url, *args).output, args


def test_a_write_sent_to_the_replica_is_refused_and_says_so(db_url, replica_url):
    r = ledger(
        replica_url, "person", "add", WORKER, "--name", "职工", "--insutype", "310", "--psn-type", "1101",
        "--region", "220702",
    )  # fmt: skip
    assert r.exit_code == 4, r.output  # unavailable (docs/cli.md)
    assert "read-only" in r.output and "--db" in r.output, r.output
    with make_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM persons")).scalar_one() == 0
