"""Alert latency: from a report's commit to its alert reaching a local webhook
receiver, at a steady rate of reports, beside a baseline measured in the same run.

What runs
    A webhook receiver (``tocsin.alerts.receivers.WebhookReceiver``) in a
    process of its own on loopback, shared by every configuration. Then, for
    each configuration -- one worker on SQLite (``tocsin serve`` as shipped:
    gunicorn and its worker), and two workers on PostgreSQL (``tocsin serve``
    plus one ``tocsin worker``) -- a fresh data directory (and database), a
    team ``default`` with --responders responders, and one team channel added
    with ``tocsin channel add --allow-private`` pointing at the receiver.
    Everything is removed at the end, also on Ctrl+C or an error (as
    bench/intake.py does, whose server handling this reuses).

What is measured
    Baseline: the bench itself POSTs an alert-sized JSON body straight to the
    receiver, on a new connection each time as Apprise does, at --rate for
    --seconds: the floor any delivery stands on (client, loopback, receiver).

    Alerts: reports are POSTed to /api/v1/reports at --rate for --seconds
    (open loop: each at its scheduled moment, whatever the previous one is
    doing, from --clients threads). Each report's alert is found at the
    receiver by its reference. The moment of commit cannot be read from
    outside the transaction, so two clocks bracket it:
      - "from receipt": the case's ``received_at``, taken by the intake just
        before it seals the report and opens its transaction -- earlier than
        the true commit by the sealing, the statements and the commit itself
        (an fsync), later by nothing, so this latency is an upper bound, and
        it is the figure held to the target. (The alert row is written later,
        by the worker that opens the report: its ``created_at`` would leave
        that step out.)
      - "from 201": the moment the client has read the API's 201, which is
        sent only after the commit -- so this latency is a lower bound (it is
        negative when the alert beats the answer to the client).
    All clocks are this machine's wall clock (time.time(), Django's now()).
    Also printed: the rate the web actually achieved (reports are sent on
    schedule, but a saturated server answers late, so fewer complete in the
    phase), the whole machine's CPU use, and the CPU time per report of the
    web (gunicorn, and PostgreSQL's backends) and of the alert workers -- on a
    machine shared with other work the rates move, the CPU costs much less.
    Every alert must arrive (within --drain seconds after the load); missing
    ones and repeats are counted and make the exit status 1.

Usage, from the repository root:
    .venv/bin/python -m bench.alerts                       # both configurations, 100/s for 30 s
    .venv/bin/python -m bench.alerts --rate 50 --seconds 10 --only sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.intake import REPO, Bench, cpu_busy, percentile, process_table, report_body

TARGET_P99_MS = 1000.0


# -- The receiver, in its own process: its clock is not slowed by the load generator's GIL.


def _receive(port_out: mp.Queue, arrivals: mp.Queue, stop: mp.Event) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    from tocsin.alerts.receivers import WebhookReceiver

    def forward(arrival) -> None:
        body = arrival.body
        arrivals.put((arrival.at, body.get("baseline_id"), body.get("reference"), arrival.idempotency_key))

    with WebhookReceiver(on_arrival=forward) as hook:
        port_out.put(hook.port)
        stop.wait()


class Receiver:
    def __init__(self) -> None:
        ctx = mp.get_context("spawn")  # no inherited threads or sockets
        self._stop = ctx.Event()
        ports: mp.Queue = ctx.Queue()
        self._arrivals: mp.Queue = ctx.Queue()
        self.process = ctx.Process(target=_receive, args=(ports, self._arrivals, self._stop), daemon=True)
        self.process.start()
        self.port = ports.get(timeout=30)
        self.baseline: dict[int, float] = {}
        self.alerts: dict[str, list[tuple[float, str]]] = {}  # reference -> [(at, key)]
        self._lock = threading.Lock()
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()

    def _collect(self) -> None:
        while True:
            try:
                at, baseline_id, reference, key = self._arrivals.get(timeout=0.2)
            except queue.Empty:
                if not self.process.is_alive():
                    return
                continue
            with self._lock:
                if baseline_id is not None:
                    self.baseline.setdefault(int(baseline_id), at)
                elif reference:
                    self.alerts.setdefault(reference, []).append((at, key))

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def arrived(self, references: set[str]) -> int:
        with self._lock:
            return sum(1 for reference in references if reference in self.alerts)

    def close(self) -> None:
        self._stop.set()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()


# -- Load: one request per 1/rate seconds, on schedule.


@dataclass
class Sent:
    scheduled: float
    started: float = 0.0
    answered: float = 0.0  # time.time() once the response was read
    status: int = 0
    reference: str = ""
    error: str = ""


def paced(rate: float, seconds: float, clients: int, send) -> list[Sent]:
    """Call ``send(sent, conn_state)`` for each slot of an open-loop schedule."""
    count = int(rate * seconds)
    start = time.time() + 0.2
    slots = [Sent(start + i / rate) for i in range(count)]
    cursor = iter(range(count))
    lock = threading.Lock()

    def client() -> None:
        state: dict = {}
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            slot = slots[index]
            time.sleep(max(0.0, slot.scheduled - time.time()))
            slot.started = time.time()
            try:
                send(slot, state)
            except (OSError, http.client.HTTPException, requests.RequestException) as exc:
                slot.error = f"{type(exc).__name__}: {exc}"[:200]
                state.clear()
            slot.answered = time.time()
        for conn in state.values():
            with contextlib.suppress(Exception):
                conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return slots


def post_report(port: int, body: bytes):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def send(slot: Sent, state: dict) -> None:
        conn = state.get("conn") or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        state["conn"] = conn
        conn.request("POST", "/api/v1/reports", body, headers)
        response = conn.getresponse()
        answer = response.read()
        slot.answered, slot.status = time.time(), response.status
        if response.status == 201:
            slot.reference = json.loads(answer)["reference"]
        else:
            slot.error = f"HTTP {response.status}: {answer[:200]!r}"

    return send


def post_baseline(port: int):
    """What a delivery does, minus Tocsin: a JSON POST on a fresh connection."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    fields = {"version": "1.0", "title": "New report TX-XXXX-XXXX: raid, seizure in RU",
              "message": "x" * 330, "attachments": [], "type": "info", "event": "case.received",
              "country": "RU", "act_types": "raid, seizure", "severity": "critical",
              "link": "http://127.0.0.1:8000/staff/cases/TX-XXXX-XXXX/"}

    def send(slot: Sent, state: dict) -> None:
        with lock:
            number = next(counter)
        slot.reference = str(number)
        response = requests.post(f"http://127.0.0.1:{port}/baseline", json={**fields, "baseline_id": number},
                                 headers={"Idempotency-Key": f"baseline-{number}"}, timeout=30)
        slot.status = response.status_code

    return send


# -- One configuration.


@dataclass
class Result:
    name: str
    rate: float
    sent: int
    accepted: int
    errors: list[str]
    baseline_ms: list[float]
    from_receipt_ms: list[float]
    from_201_ms: list[float]
    answer_ms: list[float]
    missing: int
    repeated: int
    busy: float | None
    cpu_ms: tuple[float, ...] | None  # CPU ms per report: web, alert workers


class AlertBench(Bench):
    """bench/intake.py's server handling, plus a channel and extra workers."""

    def __init__(self, args: argparse.Namespace, name: str, workers: int) -> None:
        args = argparse.Namespace(**vars(args), workers=None)
        super().__init__(args)
        self.name, self.alert_workers = name, workers
        self.extra: list[subprocess.Popen] = []

    def start_extra_workers(self) -> None:
        for n in range(self.alert_workers - 1):  # `tocsin serve` runs the first
            with open(self.data_dir / f"worker{n + 2}.log", "wb") as log:
                self.extra.append(subprocess.Popen(
                    [sys.executable, "-m", "tocsin", "worker"], cwd=REPO, env=self.env, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True))

    def stop(self) -> None:
        for process in self.extra:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.extra:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.extra = []
        super().stop()

    def cpu(self) -> tuple[float, float] | None:
        """CPU seconds so far of (the web: gunicorn and, on PostgreSQL, the bench
        database's backends; the alert workers)."""
        if self.server is None or not Path("/proc/self/stat").exists():
            return None
        table = process_table()
        tree, grown = {self.server.pid} | {p.pid for p in self.extra}, True
        while grown:
            children = {pid for pid, (ppid, _, _) in table.items() if ppid in tree} - tree
            tree |= children
            grown = bool(children)
        tick = os.sysconf("SC_CLK_TCK")
        workers = sum(table[pid][1] for pid in tree if pid in table and "tocsin worker" in table[pid][2])
        web = sum(table[pid][1] for pid in tree if pid in table and "gunicorn" in table[pid][2])
        if self.pg_name:
            web += sum(t for _, t, cmd in table.values()
                       if cmd.startswith("postgres:") and f" {self.pg_name} " in cmd)
        return web / tick, workers / tick

    def alert_rows(self) -> dict[str, tuple[str, float, int]]:
        """reference -> (idempotency key, its case's received_at as a Unix time, attempts)."""
        out = self.tocsin("shell", "--verbosity", "0", "-c", (
            "import json; from tocsin.alerts.models import Alert; from tocsin.cases.models import Case; "
            "received = dict(Case.objects.values_list('reference', 'received_at')); "
            "print(json.dumps([(r, k, received[r].timestamp(), a) for r, k, a in "
            "Alert.objects.filter(event='case.received').values_list("
            "'reference', 'idempotency_key', 'attempts')]))"))
        rows = json.loads(out.splitlines()[-1])
        return {ref: (key, created, attempts) for ref, key, created, attempts in rows}


def run_configuration(args: argparse.Namespace, receiver: Receiver, name: str, workers: int,
                      database_url: str | None) -> Result:
    slug = "postgres" if database_url else "sqlite"
    bench = AlertBench(args, name, workers)
    try:
        if database_url:
            bench.create_database(database_url)
        print(f"\n== {name}: {workers} worker(s); data directory {bench.data_dir}", flush=True)
        bench.setup()
        bench.tocsin("channel", "add", "--team", "default", receiver.url(f"alerts/{slug}"), "--allow-private")
        port = bench.start()
        bench.start_extra_workers()
        body = report_body(args.narrative_bytes)

        # Warm-up: every gunicorn worker and alert worker has loaded its code.
        warm = paced(args.rate, args.warmup, args.clients, post_report(port, body))
        deadline = time.monotonic() + 30
        warm_refs = {s.reference for s in warm if s.reference}
        while receiver.arrived(warm_refs) < len(warm_refs) and time.monotonic() < deadline:
            time.sleep(0.1)

        print(f"   baseline: direct POST to the receiver, {args.rate:g}/s for {args.seconds:g} s", flush=True)
        with receiver._lock:
            receiver.baseline.clear()  # numbered from 0 again in each configuration
        baseline = paced(args.rate, args.seconds, args.clients, post_baseline(receiver.port))
        time.sleep(1.0)

        print(f"   alerts: reports to /api/v1/reports, {args.rate:g}/s for {args.seconds:g} s", flush=True)
        busy_before, cpu_before = cpu_busy(), bench.cpu()
        sent = paced(args.rate, args.seconds, args.clients, post_report(port, body))
        busy_after = cpu_busy()
        references = {s.reference for s in sent if s.reference}
        deadline = time.monotonic() + args.drain
        while receiver.arrived(references) < len(references) and time.monotonic() < deadline:
            time.sleep(0.1)
        cpu_after = bench.cpu()
        bench.stop()
        rows = bench.alert_rows()
    finally:
        bench.cleanup()

    with receiver._lock:
        baseline_ms = [(receiver.baseline[int(s.reference)] - s.started) * 1e3 for s in baseline
                       if s.reference and int(s.reference) in receiver.baseline]
        alerts = {ref: list(receiver.alerts.get(ref, [])) for ref in references}
    from_receipt, from_201, answer = [], [], []
    missing = repeated = 0
    for s in sent:
        if not s.reference:
            continue
        answer.append((s.answered - s.started) * 1e3)
        arrivals = alerts.get(s.reference) or []
        if not arrivals:
            missing += 1
            continue
        repeated += len(arrivals) - 1
        first = min(at for at, _ in arrivals)
        from_201.append((first - s.answered) * 1e3)
        if s.reference in rows:
            from_receipt.append((first - rows[s.reference][1]) * 1e3)
    cpu_ms = None
    if cpu_before and cpu_after and references:
        cpu_ms = tuple((after - before) * 1e3 / len(references)
                       for before, after in zip(cpu_before, cpu_after, strict=True))
    busy = None
    if busy_before and busy_after and busy_after[1] > busy_before[1]:
        busy = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
    errors = [s.error for s in sent + baseline if s.error]
    span = max(s.answered for s in sent) - min(s.started for s in sent) if sent else 0
    return Result(name, len(references) / span if span else 0.0, len(sent), len(references), errors,
                  baseline_ms, from_receipt, from_201, answer, missing, repeated, busy, cpu_ms)


def ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    return f"{percentile(sorted(int(v * 1e6) for v in values), q):.1f}"


def report(results: list[Result], args: argparse.Namespace) -> bool:
    print(f"\nLatency in ms, {args.rate:g} reports/s offered for {args.seconds:g} s per configuration, "
          f"{os.cpu_count()} CPUs")
    print(f"{'':34}{'p50':>9}{'p99':>9}{'max':>9}{'n':>7}")
    ok = True
    for r in results:
        cpu = (f"; CPU per report: web {r.cpu_ms[0]:.1f} ms, alert worker(s) {r.cpu_ms[1]:.1f} ms"
               if r.cpu_ms else "")
        print(f"{r.name}  (achieved {r.rate:.1f} reports/s, machine CPU "
              f"{f'{r.busy:.0%}' if r.busy is not None else '-'}{cpu})")
        rows = [("baseline: direct POST -> receiver", r.baseline_ms),
                ("alert: receipt -> receiver", r.from_receipt_ms),
                ("alert: 201 read -> receiver", r.from_201_ms),
                ("report: POST -> 201 read", r.answer_ms)]
        for label, values in rows:
            print(f"  {label:32}{ms(values, .5):>9}{ms(values, .99):>9}"
                  f"{(f'{max(values):.1f}' if values else '-'):>9}{len(values):>7}")
        print(f"  {r.accepted}/{r.sent} reports accepted, {r.missing} alerts missing, {r.repeated} repeated, "
              f"{len(r.errors)} errors")
        if r.rate < args.rate * 0.95:
            print(f"  NOTE: the web accepted only {r.rate:.1f} of the {args.rate:g} reports/s offered "
                  "(answers queued: see POST -> 201); the alert figures hold for that rate")
        for error in sorted(set(r.errors))[:5]:
            print(f"    {error}")
        p99 = (percentile(sorted(int(v * 1e6) for v in r.from_receipt_ms), .99) if r.from_receipt_ms
               else float("inf"))
        met = p99 < TARGET_P99_MS and not r.missing and r.accepted == r.sent
        print(f"  p99 commit -> receiver (upper bound) {p99:.1f} ms: target < {TARGET_P99_MS:.0f} ms "
              f"{'met' if met else 'NOT met'}")
        ok = ok and met and not r.errors
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0,
                        help="reports (and baseline posts) per second (100)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measured phase (30)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured reports first (2)")
    parser.add_argument("--drain", type=float, default=60.0,
                        help="seconds to wait after the load for the last alerts (60)")
    parser.add_argument("--clients", type=int, default=16, help="client threads sending on schedule (16)")
    parser.add_argument("--responders", type=int, default=3, help="responders in team default (3)")
    parser.add_argument("--narrative-bytes", type=int, default=2048, help="narrative size (2048)")
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/tocsin_bench_alerts_{os.getpid()}",
                        help="PostgreSQL for the two-worker configuration; the database is created for "
                        "the run and dropped after, so it must not exist")
    parser.add_argument("--postgres-workers", type=int, default=2)
    parser.add_argument("--sqlite-workers", type=int, default=1)
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one configuration")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and logs")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.clients < 1:
        parser.error("--rate, --seconds and --clients must be positive")

    def terminate(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    receiver = Receiver()
    results: list[Result] = []
    try:
        if args.only in (None, "sqlite"):
            results.append(run_configuration(args, receiver, f"SQLite, {args.sqlite_workers} worker",
                                             args.sqlite_workers, None))
        if args.only in (None, "postgres"):
            results.append(run_configuration(args, receiver, f"PostgreSQL, {args.postgres_workers} workers",
                                             args.postgres_workers, args.database_url))
        return 0 if report(results, args) else 1
    except KeyboardInterrupt:
        print("\ninterrupted; stopping", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        receiver.close()


if __name__ == "__main__":
    sys.exit(main())
