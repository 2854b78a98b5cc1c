"""The worker's loop: deliver alerts as soon as they commit, then the periodic jobs.

Deliveries run in a thread pool and are pipelined: the main thread starts as
many due alerts as there are idle threads and records the results in
batches soon after they are in, so one slow or dead receiver holds up one
thread, never the alerts behind it. Only the main thread touches the
database, and it looks for due alerts only when some may be there: on a
commit's wake-up (at most every ``CLAIM_EVERY_SECONDS``, so that under load
one query claims several), at the poll, and when a slot frees up after a
claim that had no room for all -- not at every finished delivery. Before a
claim it opens the reports that have arrived since the last
(``cases.actions.opening``), which writes their alerts, so a new report's
alerts go out in the same pass as its wake-up.

How alerts are taken depends on the database:

- PostgreSQL (any number of workers, on any number of machines): each claim
  is a short transaction that leases the rows (``outbox.exchange``, with
  ``SKIP LOCKED``); results are recorded in the same transaction as the
  next claim, or on their own after ``RECORD_EVERY_SECONDS``.
- SQLite (one machine): every write waits for the database's one write lock,
  which the web needs for each report, and a waiting writer sleeps in steps
  of milliseconds. So one worker per data directory becomes the sole
  deliverer by taking a file lock (the kernel drops it if the worker dies);
  it takes due alerts with a plain read (``outbox.take``) and records
  results in batches. Between a report's commit and its delivery there is
  one write: the transaction that opens it with the others of its pass.
  Other workers run the periodic jobs and stand by."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

import apprise
from django.conf import settings
from django.db import close_old_connections, connection

from tocsin.cases.actions import opening

from . import outbox, transport, wakeup

log = logging.getLogger("tocsin.worker")

Periodic = list[tuple[float, Callable[[], object]]]

# The longest the loop sleeps without looking at ``stop``: a stop request
# (SIGTERM from `tocsin serve`) is honoured within this, whatever --poll says.
STOP_CHECK_SECONDS = 1.0
# A deliverer records results this often (one short write transaction
# for all of them), and sooner when this many are waiting.
RECORD_EVERY_SECONDS = 0.1
RECORD_BATCH = 200
# The shortest time between two claims. A commit that wakes the worker sooner
# after its last claim waits for the rest of it, so that under load one claim
# (one query, or on PostgreSQL one transaction per worker) takes the alerts of
# several commits, and the worker's CPU goes to delivering them. The cost is
# at most this much latency, under load only: an alert that commits when the
# worker has not claimed for this long is claimed at once.
CLAIM_EVERY_SECONDS = 0.05
# How often an idle worker lets Django close a database connection past its age.
TIDY_SECONDS = 10.0


class Dispatcher:
    """Keeps up to ``slots`` deliveries in flight, claiming with a lease, and
    records their results in batches: with the next claim, or after
    ``RECORD_EVERY_SECONDS`` (the loop waits no longer than ``record_in()``)."""

    def __init__(self, pool: Executor, slots: int, on_done: Callable[[], None]) -> None:
        self.pool, self.slots, self.on_done = pool, slots, on_done
        self.in_flight: set[Future[outbox.Outcome]] = set()
        # Kept until recorded: if the database is briefly away, a later step
        # records them, rather than letting them be sent again.
        self.unrecorded: list[outbox.Outcome] = []
        self._unrecorded_since = 0.0
        # The last claim filled every free slot (or found none), so more rows
        # may be due: the next slot to free up is worth a claim.
        self.backlog = True

    def _harvest(self) -> None:
        done = {future for future in self.in_flight if future.done()}
        self.in_flight -= done
        if done and not self.unrecorded:
            self._unrecorded_since = time.monotonic()
        self.unrecorded += [future.result() for future in done]

    def _start(self, rows: list[outbox.Alert]) -> None:
        if rows and log.isEnabledFor(logging.DEBUG):
            log.debug("claimed %s", " ".join(row.idempotency_key for row in rows))
        for row in rows:
            future = self.pool.submit(outbox.deliver, row)
            future.add_done_callback(lambda _future: self.on_done())
            self.in_flight.add(future)

    def record_in(self) -> float:
        """Seconds until the results waiting must be recorded (inf: none wait)."""
        if not self.unrecorded:
            return float("inf")
        if len(self.unrecorded) >= RECORD_BATCH:
            return 0.0
        return self._unrecorded_since + RECORD_EVERY_SECONDS - time.monotonic()

    def step(self, *, claim: bool) -> None:
        """Record finished deliveries if they are due and, with ``claim``, start
        new ones in the free slots (in the same transaction)."""
        self._harvest()
        if not claim and self.record_in() > 0:
            return
        free = self.slots - len(self.in_flight) if claim else 0
        rows = outbox.exchange(self.unrecorded, free)
        self.unrecorded = []
        if claim:
            self.backlog = len(rows) >= free
        self._start(rows)

    def finish(self) -> None:
        """Wait for the deliveries in flight and record them, so a worker
        stopped on purpose leaves nothing to be sent again."""
        for future in list(self.in_flight):
            future.exception()  # waits; deliver() never raises
        self._harvest()
        if self.unrecorded:
            outbox.record(self.unrecorded)
            self.unrecorded = []


class SoleDispatcher(Dispatcher):
    """The sole deliverer of a SQLite data directory: takes without writing,
    and records in batches from a thread of its own, so that waiting for the
    write lock never holds up the next alert."""

    def __init__(self, pool: Executor, slots: int, on_done: Callable[[], None]) -> None:
        super().__init__(pool, slots, on_done)
        self.taken: set[int] = set()  # in flight or not yet recorded; guarded by _lock
        self._lock = threading.Lock()
        self._to_record: list[outbox.Outcome] = []
        self._wake_recorder = threading.Event()
        self._stopping = False
        self._recorder = threading.Thread(target=self._record_loop, name="alert-recorder", daemon=True)
        self._recorder.start()

    def step(self, *, claim: bool) -> None:
        self._harvest()
        if self.unrecorded:
            with self._lock:
                self._to_record += self.unrecorded
                waiting = len(self._to_record)
            self.unrecorded = []
            if waiting >= RECORD_BATCH:
                self._wake_recorder.set()
        if not claim:
            return
        free = self.slots - len(self.in_flight)
        rows: list[outbox.Alert] = []
        if free > 0:
            with self._lock:
                exclude = set(self.taken)
            rows = outbox.take(free, exclude=exclude)
            with self._lock:
                self.taken |= {row.pk for row in rows}
        self.backlog = len(rows) >= free
        self._start(rows)

    def record_in(self) -> float:
        return float("inf")  # the recorder's own thread records

    def _record_pending(self) -> None:
        with self._lock:
            batch, self._to_record = self._to_record, []
        if not batch:
            return
        try:
            outbox.record(batch)
        except Exception:
            with self._lock:
                self._to_record = batch + self._to_record  # kept, and tried again
            raise
        with self._lock:
            self.taken -= {outcome.alert.pk for outcome in batch}

    def _record_loop(self) -> None:
        try:
            while not self._stopping:
                self._wake_recorder.wait(RECORD_EVERY_SECONDS)
                self._wake_recorder.clear()
                try:
                    self._record_pending()
                except Exception:
                    log.exception("could not record deliveries; trying again")
                    time.sleep(1.0)
        finally:
            connection.close()  # this thread's own connection

    def finish(self) -> None:
        for future in list(self.in_flight):
            future.exception()  # waits; deliver() never raises
        self._harvest()
        with self._lock:
            self._to_record += self.unrecorded
        self.unrecorded = []
        self._stopping = True
        self._wake_recorder.set()
        self._recorder.join(timeout=60)
        self._record_pending()  # whatever the recorder left


def sole_deliverer() -> IO[bytes] | None:
    """Take the data directory's outbox lock without waiting; the open file
    holds it (until closed, or the process ends however it ends)."""
    handle = open(Path(settings.DATA_DIR) / "outbox.lock", "ab")  # noqa: SIM115 -- held open on purpose
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _run_periodic(periodic: Periodic, last_run: list[float]) -> float:
    """Run the jobs that are due; return the seconds until the next one is."""
    now = time.monotonic()
    soonest = float("inf")
    for index, (every, job) in enumerate(periodic):
        if now - last_run[index] >= every:
            last_run[index] = now
            try:
                job()
            except Exception:
                log.exception("periodic job %s failed; it runs again in %s s",
                              getattr(job, "__qualname__", job), every)
        soonest = min(soonest, last_run[index] + every - time.monotonic())
    return soonest


def _prepare() -> None:
    transport.install_connect_guard()
    apprise.Apprise.instantiate("json://localhost/")  # load Apprise's plugins now, not on the first alert


class _Role:
    """Which dispatcher this worker runs, and on SQLite the lock that lets it."""

    def __init__(self, pool: Executor, threads: int, on_done: Callable[[], None]) -> None:
        self.pool, self.threads, self.on_done = pool, threads, on_done
        self.lock: IO[bytes] | None = None
        self.dispatcher: Dispatcher | None = None
        self.try_to_deliver()

    def try_to_deliver(self) -> bool:
        """Become a deliverer if this worker may; True if it is one."""
        if self.dispatcher is not None:
            return True
        if connection.vendor != "sqlite":
            self.dispatcher = Dispatcher(self.pool, self.threads, self.on_done)
        else:
            self.lock = sole_deliverer()
            if self.lock is not None:
                self.dispatcher = SoleDispatcher(self.pool, self.threads, self.on_done)
        return self.dispatcher is not None

    def describe(self) -> str:
        if self.dispatcher is None:
            return "standing by: another worker delivers this data directory's alerts"
        if isinstance(self.dispatcher, SoleDispatcher):
            return "delivering (the sole deliverer of this data directory)"
        return "delivering"

    def release(self) -> None:
        if self.lock is not None:
            with contextlib.suppress(OSError):
                self.lock.close()
            self.lock = None


def run(stop: threading.Event, *, periodic: Periodic, poll_seconds: float = 2.0, threads: int = 16,
        once: bool = False) -> None:
    """Run until ``stop`` is set (or one pass, with ``once``).

    ``periodic`` lists (every seconds, job). Between passes the worker sleeps
    until an alert commits (see ``wakeup``), a delivery finishes, a periodic
    job falls due or ``poll_seconds`` pass; the poll catches retries falling
    due and alerts whose worker died mid-delivery."""
    _prepare()
    last_run = [float("-inf")] * len(periodic)
    if once:
        _once(stop, periodic, last_run, threads)
        return
    listener = wakeup.Listener()
    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="alert") as pool:
            role = _Role(pool, threads, listener.poke)
            log.info("worker ready: %s, %s, polling every %s s, %s delivery threads", role.describe(),
                     "woken on commit" if listener.listening else "NOT woken on commit (see above)",
                     poll_seconds, threads)
            try:
                _loop(stop, role, listener, periodic, last_run, poll_seconds)
            finally:
                try:
                    if role.dispatcher is not None:
                        role.dispatcher.finish()
                except Exception:
                    log.exception("could not record the last deliveries; their alerts will be sent again")
                role.release()
    finally:
        listener.close()  # after the pool: no thread can poke a closed pipe


def _once(stop: threading.Event, periodic: Periodic, last_run: list[float], threads: int) -> None:
    lock = sole_deliverer() if connection.vendor == "sqlite" else None
    try:
        opening.open_arrived()
        if connection.vendor != "sqlite" or lock is not None:
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="alert") as pool:
                while outbox.deliver_due(pool, limit=threads) and not stop.is_set():
                    pass
        _run_periodic(periodic, last_run)
    finally:
        if lock is not None:
            lock.close()
        close_old_connections()


def _loop(stop: threading.Event, role: _Role, listener: wakeup.Listener, periodic: Periodic,
          last_run: list[float], poll_seconds: float) -> None:
    want_claim = True
    last_claim = float("-inf")
    next_poll = time.monotonic() + poll_seconds
    next_tidy = time.monotonic() + TIDY_SECONDS
    while not stop.is_set():
        claim_at = last_claim + CLAIM_EVERY_SECONDS
        claim = want_claim and time.monotonic() >= claim_at
        try:
            if claim:
                opening.open_arrived()  # new reports' alerts, claimed just below
            if role.dispatcher is not None:
                role.dispatcher.step(claim=claim)
            if claim:
                want_claim, last_claim = False, time.monotonic()
            until_periodic = _run_periodic(periodic, last_run)
        except Exception:
            log.exception("worker pass failed; retrying")
            close_old_connections()
            stop.wait(1.0)
            want_claim = True
            continue
        dispatcher = role.dispatcher
        now = time.monotonic()
        if now >= next_tidy and (dispatcher is None or not dispatcher.in_flight):
            # Idle: the moment to drop a connection past its age. Not on every
            # pass: it makes the next query check the connection first.
            close_old_connections()
            next_tidy = now + TIDY_SECONDS
        timeout = min(next_poll - now, until_periodic, STOP_CHECK_SECONDS)
        if want_claim:
            timeout = min(timeout, claim_at - now)
        if dispatcher is not None:
            timeout = min(timeout, dispatcher.record_in())
        # A claim is due when the timeout ends: commits until then change nothing.
        woken = listener.wait(timeout, commits=not want_claim)
        now = time.monotonic()
        polled = now >= next_poll
        if polled:
            next_poll = now + poll_seconds
            if role.dispatcher is None and role.try_to_deliver():
                log.info("worker %s took over: %s", os.getpid(), role.describe())
        # Claim when alerts committed, at the poll (retries falling due, rows
        # of a worker that died), and when a delivery finished (a poke) while
        # more may be due than there were free slots. A poke alone otherwise
        # only asks for its result to be recorded: claiming on it would cost
        # a query per alert that finds nothing.
        want_claim = want_claim or bool(woken & wakeup.Woken.COMMIT) or polled or (
            bool(woken & wakeup.Woken.POKE) and dispatcher is not None and dispatcher.backlog)
