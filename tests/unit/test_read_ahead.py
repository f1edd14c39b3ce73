"""The reader process (formats/read_ahead.py) hands over every row, in order, or says why
not: an error in the reader is raised in the poster, a reader that dies is told, and a
poster that stops early stops its reader."""

import os
import pickle
import signal
import subprocess
import sys
import time

import pytest

from ledger.formats import read_ahead
from ledger.formats.json_objects import Received, ReceivedText, exact_json, received_text

pytestmark = pytest.mark.skipif(not read_ahead.available(), reason="no fork on this platform")


def test_every_row_arrives_in_order_across_batches_with_the_readers_progress():
    seen = []
    reader = read_ahead.ReadAhead(lambda: ((n, {"n": n}) for n in range(1, 11)), batch=3, progress=lambda: 42)
    for item in reader:
        seen.append(item)
    assert seen == [(n, {"n": n}) for n in range(1, 11)]  # 3 + 3 + 3 + 1, then the end
    assert reader.bytes == 42


def test_an_error_in_the_reader_is_raised_in_the_poster_after_the_rows_before_it():
    def rows():
        yield 1, "first"
        raise ValueError("row 2 is not readable")

    got = []
    with pytest.raises(ValueError, match="row 2 is not readable"):
        for item in read_ahead.ReadAhead(rows, batch=1, progress=lambda: 0):
            got.append(item)
    assert got == [(1, "first")]


def test_a_reader_that_dies_is_told_not_taken_for_the_end_of_the_file():
    def rows():
        yield 1, "first"
        os._exit(3)  # killed, as by the kernel: no word sent

    reader = read_ahead.ReadAhead(rows, batch=1, progress=lambda: 0)
    with pytest.raises(read_ahead.ReaderFailed, match="before the end of the input .exit code 3"):
        list(reader)


def test_a_poster_that_stops_early_stops_its_reader():
    def endless():
        n = 0
        while True:
            n += 1
            yield n, "x" * 1000

    reader = read_ahead.ReadAhead(endless, batch=10, progress=lambda: 0)
    it = iter(reader)
    assert next(it) == (1, "x" * 1000)
    reader.close()
    assert reader.exitcode is not None and not _alive(reader.pid)


def test_a_received_row_travels_as_its_text_and_reads_the_same_on_arrival():
    text = '{"setl_id": "N1", "medfee_sumamt": 800.00, "age": 46.0, "note": "扩展"}'
    row = exact_json(text)
    assert type(row) is Received
    row.text = text
    sent = pickle.loads(pickle.dumps(row, pickle.HIGHEST_PROTOCOL))
    assert type(sent) is ReceivedText and received_text(sent) == text
    # Decoded again only when a field is read, exactly: 800.00 stays "800.00", never 800.0.
    assert dict(sent) == {"setl_id": "N1", "medfee_sumamt": "800.00", "age": "46.0", "note": "扩展"}
    assert sent["medfee_sumamt"] == "800.00" and len(sent) == 4


def test_a_record_that_fails_ahead_fails_on_arrival_on_the_same_field():
    """The reader sends a record it cannot read as it came (rules/ahead.py), and it arrives
    as its text: read again there it names the same field, not "expected a JSON object"."""
    from ledger.errors import ValidationError
    from ledger.rules.ahead import record_ahead
    from ledger.rules.national import read_record

    text = '{"setl_id": "B1", "certno": "220702197806110035", "setl_time": "2025-03-01 09:30:00", "med_type": "51"}'
    row = exact_json(text)
    row.text = text
    assert record_ahead(row) is row
    sent = pickle.loads(pickle.dumps(row, pickle.HIGHEST_PROTOCOL))
    assert type(sent) is ReceivedText
    with pytest.raises(ValidationError) as failed:
        read_record(sent)
    assert failed.value.field == "med_type"
    assert (
        str(failed.value) == "med_type: 51 (生育门诊) is maternity insurance (生育保险), which these books do not keep"
    )


def test_a_reader_whose_poster_is_killed_ends_too(tmp_path):
    """The poster killed (SIGKILL: no clean-up runs) while its reader still has rows: the
    reader finds nobody at the pipe's end and exits, instead of waiting for ever."""
    script = tmp_path / "poster.py"
    script.write_text(
        "import os, signal, sys\n"
        "from ledger.formats.read_ahead import ReadAhead\n"
        "def endless():\n"
        "    n = 0\n"
        "    while True:\n"
        "        n += 1\n"
        "        yield n, 'x' * 1000\n"
        "reader = ReadAhead(endless, batch=10, progress=lambda: 0)\n"
        "rows = iter(reader)\n"
        "next(rows)\n"
        "print(reader.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    reader_pid = int(done.stdout)
    deadline = time.monotonic() + 20
    while _alive(reader_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(reader_pid), "the reader outlived its poster"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped (its parent was killed; init reaps it soon).
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def test_the_reader_reads_standard_input_when_it_is_the_file(tmp_path):
    """`claim post - < FILE`: the reader reads the poster's standard input, a real file
    descriptor here (multiprocessing's children would find it closed)."""
    script = tmp_path / "poster.py"
    script.write_text(
        "import sys\n"
        "from ledger.formats.read_ahead import ReadAhead\n"
        "reader = ReadAhead(lambda: enumerate(sys.stdin.buffer, 1), batch=2, progress=lambda: 0)\n"
        "rows = list(reader)\n"
        "print(len(rows), rows[0][1].decode().strip(), rows[-1][1].decode().strip(), reader.exitcode)\n"
    )
    feed = tmp_path / "feed.txt"
    feed.write_text("".join(f"row {n}\n" for n in range(1, 6)))
    with feed.open("rb") as stdin:
        done = subprocess.run([sys.executable, str(script)], stdin=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5", "row", "1", "row", "5", "0"]
