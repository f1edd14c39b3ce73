"""Reading a long claim file in a second process while the first posts (docs/claims.md).

Posting a chunk waits on the database; reading and checking the next one is pure work on
the CPU. With two processes the two overlap: the reader decodes and checks the rows and
sends them on, a batch at a time, through a pipe; the poster takes them in the very order
of the file. What the reader sends is what the poster would have made of the rows itself,
so the results are the same row for row, only sooner.

    ReadAhead(rows, batch, progress)   iterate it for the items `rows()` yields in the reader
                                       process, `batch` at a time; `.bytes` is what
                                       `progress()` said there: how far into the input
                                       the reader has come

The reader is a fork of the poster: it needs no arguments sent to it, and it inherits the
open input (a file or standard input), which the poster then leaves alone. Where processes
cannot be forked, `available()` is False and the caller reads in its own process.
"""

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator

from ..i18n import _


class ReaderFailed(RuntimeError):
    """The reading process ended without finishing the input or saying why."""


def available() -> bool:
    """Whether a reader process can be forked here (not on Windows; not where fork is not
    the platform's own way to start processes)."""
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


class ReadAhead:
    """The items of `rows()`, produced in a forked reader process and received here in
    their order. Closing it (or leaving it unfinished and letting it go) stops the reader.

    A plain fork, not multiprocessing.Process: that one closes standard input in the child,
    and standard input may be the very file to read (`claim post -`)."""

    def __init__(self, rows: Callable[[], Iterable[tuple[int, object]]], batch: int, progress: Callable[[], int]):
        self._recv, send = multiprocessing.Pipe(duplex=False)
        self.bytes = 0
        self.exitcode: int | None = None  # the reader's, once it has ended (negative: killed by that signal)
        self.pid = os.fork()
        if self.pid == 0:  # the reader: it never returns from here
            code = 1
            try:
                _read(rows, progress, send, self._recv, batch)
                code = 0
            finally:
                os._exit(code)  # no clean-up of the poster's objects, no flush of its buffers
        send.close()  # the reader holds the only writing end: its exit is seen here as EOF

    def __iter__(self) -> Iterator[tuple[int, object]]:
        try:
            while True:
                try:
                    kind, payload, self.bytes = pickle.loads(self._recv.recv_bytes())
                except EOFError:
                    self._wait()
                    raise ReaderFailed(
                        _("the reading process ended before the end of the input (exit code {exitcode})").format(
                            exitcode=self.exitcode
                        )
                    ) from None
                if kind == "rows":
                    yield from payload
                elif kind == "end":  # the reader's last word: it is exiting of itself
                    self._wait()
                    return
                else:  # "error": what the reader raised, raised here as it would have been
                    raise payload
        finally:
            self.close()

    def close(self) -> None:
        self._recv.close()
        if self.exitcode is None:
            with contextlib.suppress(ProcessLookupError):  # it has just exited: reaped below
                os.kill(self.pid, signal.SIGTERM)
            self._wait()

    def _wait(self) -> None:
        if self.exitcode is None:
            _pid, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)


# Batches the reader may have ready before the poster takes them: a chunk or two of claims,
# so that the next chunk is read while the poster writes this one. The pipe alone holds
# less than one batch.
AHEAD = 8


def _read(rows: Callable[[], Iterable], progress: Callable[[], int], send, recv, batch: int) -> None:
    """The reader process: the rows in batches down the pipe, then "end" (or the error).
    A thread sends them, so that reading goes on while a batch waits in the pipe."""
    # The fork holds a copy of the poster's end too: closed, so that a poster that dies
    # leaves no reader of the pipe, and sending here fails instead of waiting for ever.
    recv.close()
    # Ctrl-C reaches the whole process group: the poster decides what it means and, by
    # closing the pipe or terminating the reader, ends the reader too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    gone = threading.Event()  # the poster stopped listening (it ended, or was killed)

    def sender() -> None:
        while (data := ready.get()) is not None:
            if gone.is_set():
                continue  # drained, so that the reading side never waits on a full queue
            try:
                send.send_bytes(data)
            except OSError:
                gone.set()

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()

    def put(kind: str, payload: object) -> None:
        if gone.is_set():
            raise BrokenPipeError
        ready.put(pickle.dumps((kind, payload, progress()), pickle.HIGHEST_PROTOCOL))

    try:
        items = []
        for item in rows():
            items.append(item)
            if len(items) == batch:
                put("rows", items)
                items = []
        put("rows", items)
        put("end", None)
    except (BrokenPipeError, ConnectionResetError):  # the poster stopped listening
        pass
    except Exception as e:  # noqa: BLE001 - every error goes to the poster, which raises it
        try:
            put("error", e)
        except (pickle.PicklingError, TypeError, AttributeError):
            put("error", ReaderFailed(_("the reading process failed: {name}: {e}").format(name=type(e).__name__, e=e)))
    finally:
        ready.put(None)
        thread.join()
        send.close()
