"""Intake throughput: durably accepted reports per second through ``tocsin serve``,
beside a baseline measured in the same run.

What runs
    One ``tocsin serve`` (gunicorn, the default worker count unless --workers,
    plus the background worker) on loopback, with ``bench.settings``: Tocsin's
    settings unchanged plus ``POST /bench/baseline``, a bare Django view that
    stores the request body as one row. A fresh data directory (and, with
    --database-url, a fresh PostgreSQL database) is created for the run, a
    team ``default`` with --responders responders is created through
    ``tocsin adduser``, and everything is removed at the end -- also on
    Ctrl+C or an error.

What is measured
    --clients concurrent clients (threads over --procs processes, each with
    its own http.client connection) send the same ~2 KB JSON report, for
    --seconds each phase, alternating baseline, intake, baseline, intake ...
    (--rounds). Only ``201`` counts as accepted; anything else is an error and
    is printed. A report is answered 201 only after its transaction committed
    (SQLite WAL with synchronous=FULL, or PostgreSQL's synchronous commit), and
    after the server stops the bench checks that the database holds at least
    one row per 201 received, each report with its sealed keys and -- once
    ``tocsin worker --once`` has opened the reports that arrived as the server
    stopped -- its audit entry, and that the audit chain is unbroken
    (``tocsin audit verify``). The worker opens reports while the bench runs
    (its CPU is counted in the server's), as it does in service.

    Printed per phase and in total: accepted requests per second, p50 and p99
    latency, errors, how busy the whole machine was, and the server's CPU time
    per accepted request (gunicorn and the worker, plus the PostgreSQL backends
    of the bench database): on a machine shared with other work the rates
    move, the CPU cost per request much less. Exit status 1 if any request failed.

    With --floor, a third phase posts the same body to ``/bench/floor``
    (bench/urls.py): the form's validation, the encryption and the sealing
    the issue asks of every report, stored as one row -- nothing a real
    intake could leave out. Its ratio to the baseline is the ceiling of the
    intake's on the machine the bench runs on.

Usage, from the repository root:
    .venv/bin/python -m bench.intake
    .venv/bin/python -m bench.intake --floor
    .venv/bin/python -m bench.intake --database-url postgres://postgres@127.0.0.1:5432/tocsin_bench
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.75
INTAKE_PATH = "/api/v1/reports"
BASELINE_PATH = "/bench/baseline"
FLOOR_PATH = "/bench/floor"

NARRATIVE_PARAGRAPH = "".join([  # Cyrillic on purpose: a report written in Russian
    "В 10:05 к офису подъехали два микроавтобуса. Шесть сотрудников отдела по борьбе ",  # noqa: RUF001
    "с экономическими преступлениями и двое понятых вошли без стука, показали ",  # noqa: RUF001
    "постановление о проверке «на предмет использования нелицензионного программного ",  # noqa: RUF001
    "обеспечения» и запретили нам звонить. Они переписали серийные номера, ",
    "сфотографировали наклейки на системных блоках и сказали, что наклейки «поддельные». ",
    "Юрист, назвавшийся представителем компании, по телефону назвал сумму ущерба. ",
    "Изъяли четыре ноутбука, сервер с архивом обращений граждан и папку с ",  # noqa: RUF001
    "бухгалтерскими документами; опись нам не выдали. ",
    "Officers said the equipment would be returned after an expert examination 'in a few ",
    "months'. Our licence certificate was on the wall; they photographed it and took it too. ",
])


def narrative(size: int) -> str:
    """About ``size`` bytes of UTF-8, cut at a character boundary."""
    text = NARRATIVE_PARAGRAPH * (size // len(NARRATIVE_PARAGRAPH.encode()) + 1)
    return text.encode()[:size].decode(errors="ignore")


def report_body(narrative_bytes: int) -> bytes:
    return json.dumps({
        "act_types": ["raid", "seizure"],
        "occurred_on": "2026-03-15",
        "country": "RU",
        "locality": "Иркутск",
        "perpetrator_type": "police",
        "perpetrator_name": "ОЭБиПК УМВД по Свердловскому району",
        "company": "Microsoft",
        "items_seized": {"count": 5, "kind": "4 ноутбука, 1 сервер, бухгалтерские документы"},
        "organisation": "Байкальская экологическая волна",
        "contact": {"kind": "signal", "value": "+7 912 345 67 89"},
        "narrative": narrative(narrative_bytes),
        "language": "ru",
    }, ensure_ascii=False).encode()


# -- Load generation -------------------------------------------------------------


@dataclass
class Outcome:
    """What one phase (or one process of it) saw."""

    latencies_ns: list[int] = field(default_factory=list)  # accepted requests in the window
    statuses: Counter = field(default_factory=Counter)  # every response in the window
    accepted_total: int = 0  # 201s, in the window or after it (for the durability check)
    failures: Counter = field(default_factory=Counter)  # exceptions and unexpected statuses
    samples: dict[str, str] = field(default_factory=dict)  # one answer per kind of failure
    cpu_seconds: float = 0.0  # the load generator's own CPU time

    def merge(self, other: Outcome) -> None:
        self.latencies_ns += other.latencies_ns
        self.statuses.update(other.statuses)
        self.accepted_total += other.accepted_total
        self.failures.update(other.failures)
        for key, value in other.samples.items():
            self.samples.setdefault(key, value)
        self.cpu_seconds += other.cpu_seconds


@dataclass(frozen=True)
class Plan:
    """What the clients of a phase send: ``requests`` (path, body) in turn,
    each client from its own place in the list, and which answers count."""

    method: str
    requests: list[tuple[str, bytes | None]]
    headers: dict[str, str]
    accepted: Callable[[str, int, bytes], bool]  # (path, status, body of the answer)


def report_plan(path: str, body: bytes) -> Plan:
    """The same JSON report POSTed again and again; only 201 counts."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Language": "ru"}
    return Plan("POST", [(path, body)], headers, lambda _path, status, _answer: status == 201)


def _client(port: int, plan: Plan, offset: int, start: float, deadline: float,
            out: Outcome, lock: threading.Lock) -> None:
    local = Outcome()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(max(0.0, start - time.monotonic()))
    n = offset
    while True:
        began = time.monotonic_ns()
        if began >= deadline * 1e9:
            break
        path, body = plan.requests[n % len(plan.requests)]
        n += 1
        try:
            conn.request(plan.method, path, body, plan.headers)
            response = conn.getresponse()
            answer = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            kind = type(exc).__name__
            local.failures[kind] += 1
            local.samples.setdefault(kind, str(exc))
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)  # a refused connection would otherwise spin
            continue
        ended = time.monotonic_ns()
        ok = plan.accepted(path, status, answer)
        if ok:
            local.accepted_total += 1
        if ended <= deadline * 1e9:
            local.statuses[status] += 1
            if ok:
                local.latencies_ns.append(ended - began)
        if not ok:
            local.failures[f"HTTP {status}"] += 1
            local.samples.setdefault(f"HTTP {status}", answer[:300].decode(errors="replace"))
    conn.close()
    with lock:
        out.merge(local)


def _process(port: int, plan: Plan, offsets: list[int], start: float, deadline: float,
             results: mp.Queue) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    cpu = os.times()
    out, lock = Outcome(), threading.Lock()
    workers = [threading.Thread(target=_client, args=(port, plan, offset, start, deadline, out, lock))
               for offset in offsets]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    after = os.times()
    out.cpu_seconds = (after.user - cpu.user) + (after.system - cpu.system)
    results.put(out)


def cpu_busy() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        # user nice system idle iowait irq softirq steal (guest time is already in user)
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, CPU ticks used, command line), from /proc (Linux)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), cmdline)
    return table


@dataclass
class Phase:
    name: str
    seconds: float
    outcome: Outcome
    machine_busy: float | None  # share of all cores busy, 0..1
    server_cpu: float | None  # CPU seconds used by the server (and its database backends)

    @property
    def other_cores(self) -> float | None:
        """Cores busy with work that is neither the server nor the load generator."""
        if self.machine_busy is None or self.server_cpu is None:
            return None
        return max(0.0, self.machine_busy * (os.cpu_count() or 1)
                   - (self.server_cpu + self.outcome.cpu_seconds) / self.seconds)

    @property
    def cpu_ms_per_request(self) -> float | None:
        accepted = len(self.outcome.latencies_ns)
        return self.server_cpu * 1e3 / accepted if self.server_cpu is not None and accepted else None


def load(name: str, port: int, plan: Plan, *, clients: int, procs: int, seconds: float,
         server_cpu: Callable[[], float | None] = lambda: None) -> Phase:
    """One phase: ``clients`` connections over ``procs`` processes, each
    sending ``plan`` as fast as it is answered, for ``seconds``."""
    ctx = mp.get_context("fork")  # forked: the plan (with its function) is inherited, not pickled
    results: mp.Queue = ctx.Queue()
    procs = max(1, min(procs, clients))
    offsets = [c * len(plan.requests) // clients for c in range(clients)]
    shares = [offsets[i::procs] for i in range(procs)]
    start = time.monotonic() + 0.3
    deadline = start + seconds
    children = [ctx.Process(target=_process, args=(port, plan, share, start, deadline, results),
                            daemon=True) for share in shares]
    total = Outcome()
    try:
        for child in children:
            child.start()
        time.sleep(max(0.0, start - time.monotonic()))
        cpu_before, server_before = cpu_busy(), server_cpu()
        time.sleep(max(0.0, deadline - time.monotonic()))
        cpu_after, server_after = cpu_busy(), server_cpu()
        for _ in children:
            total.merge(results.get(timeout=60))  # a request times out after 30 s
        for child in children:
            child.join(timeout=5)
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
    busy = None
    if cpu_before and cpu_after and cpu_after[1] > cpu_before[1]:
        busy = (cpu_after[0] - cpu_before[0]) / (cpu_after[1] - cpu_before[1])
    used = server_after - server_before if server_before is not None and server_after is not None else None
    return Phase(name, seconds, total, busy, used)


# -- The server and its data -------------------------------------------------------------


class Bench:
    """Owns the temporary data directory, the bench database and the server process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
        self.log_path = self.data_dir / "serve.log"
        self.server: subprocess.Popen | None = None
        self.pg_admin_url: str | None = None
        self.pg_name: str | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "TOCSIN_DATA_DIR": str(self.data_dir / "var"),
            "TOCSIN_SECRET_KEY": secrets.token_urlsafe(50),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "TOCSIN_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DATABASE_URL", None)

    # PostgreSQL: a database of our own, created now and dropped at the end.
    def create_database(self, url: str) -> None:
        import psycopg

        parts = urlsplit(url)
        name = parts.path.lstrip("/") or f"tocsin_bench_{os.getpid()}"
        if not name.replace("_", "").isalnum():
            raise SystemExit(f"bench database name {name!r}: use letters, digits and _ only")
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                raise SystemExit(f"database {name!r} already exists; the bench creates and drops its "
                                 "own database, so name one that does not exist")
            conn.execute(f'CREATE DATABASE "{name}"')
        self.pg_admin_url, self.pg_name = admin, name
        self.env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

    def drop_database(self) -> None:
        if not self.pg_name:
            return
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        self.pg_name = None

    def tocsin(self, *argv: str, timeout: float = 300) -> str:
        done = subprocess.run([sys.executable, "-m", "tocsin", *argv], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode:
            raise SystemExit(f"tocsin {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def setup(self) -> None:
        self.tocsin("migrate", "--noinput")
        password_file = self.data_dir / "password"
        password_file.write_text(secrets.token_urlsafe(24))
        for n in range(1, self.args.responders + 1):
            self.tocsin("adduser", f"bench-responder-{n}", "--team", "default",
                        "--password-file", str(password_file))

    def start(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        argv = [sys.executable, "-m", "tocsin", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if self.args.workers:
            argv += ["--workers", str(self.args.workers)]
        self.serve_argv = argv
        with open(self.log_path, "wb") as log:
            self.server = subprocess.Popen(argv, cwd=REPO, env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            if self.server.poll() is not None:
                raise SystemExit(f"tocsin serve exited with {self.server.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    return port
            time.sleep(0.2)
        raise SystemExit(f"tocsin serve did not answer within 60 s:\n{self.log()}")

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is None or server.poll() is not None:
            return
        server.send_signal(signal.SIGTERM)  # serve stops gunicorn and the worker itself
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=40)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # whatever is left of its process group
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=5)

    def web_workers(self) -> int | str:
        """How many gunicorn workers `tocsin serve` started (its master's children)."""
        if self.server is None or not Path("/proc/self/stat").exists():
            return "?"
        table = process_table()
        masters = {pid for pid, (ppid, _, cmd) in table.items()
                   if ppid == self.server.pid and "gunicorn" in cmd}
        return sum(1 for ppid, _, _ in table.values() if ppid in masters)

    def server_cpu(self) -> float | None:
        """CPU seconds used so far by `tocsin serve` and its children (gunicorn,
        the worker) and, on PostgreSQL, by the backends serving the bench database."""
        if self.server is None or not Path("/proc/self/stat").exists():
            return None
        table = process_table()
        tree, grown = {self.server.pid}, True
        while grown:
            children = {pid for pid, (ppid, _, _) in table.items() if ppid in tree} - tree
            tree |= children
            grown = bool(children)
        ticks = sum(table[pid][1] for pid in tree if pid in table)
        if self.pg_name:
            ticks += sum(t for _, t, cmd in table.values()
                         if cmd.startswith("postgres:") and f" {self.pg_name} " in cmd)
        return ticks / os.sysconf("SC_CLK_TCK")

    def log(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stored_rows(self) -> tuple[int, int]:
        """(reports, baseline rows) in the database, read after the server stopped
        and a last pass of the worker opened what arrived as it stopped."""
        self.tocsin("worker", "--once")
        out = self.tocsin("shell", "--verbosity", "0", "-c", (
            "from tocsin.cases.models import Case, CaseKey; from bench.models import BaselineRow; "
            "from tocsin.audit.models import Entry; "
            "print(Case.objects.count(), BaselineRow.objects.count(), CaseKey.objects.count(), "
            "Entry.objects.filter(action='report.received').count())"))
        cases, rows, keys, audits = (int(x) for x in out.splitlines()[-1].split())
        if keys != cases * self.args.responders or audits != cases:
            raise SystemExit(f"{cases} reports but {keys} sealed keys and {audits} audit entries")
        self.tocsin("audit", "verify")  # concurrent appends left one unbroken chain
        return cases, rows

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            try:
                self.drop_database()
            finally:
                if self.args.keep:
                    print(f"kept {self.data_dir}")
                else:
                    shutil.rmtree(self.data_dir, ignore_errors=True)


# -- Report ------------------------------------------------------------------------------


def percentile(sorted_values: list[int], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))  # nearest rank
    return sorted_values[index] / 1e6


@dataclass
class Summary:
    name: str
    rate: float
    p50: float
    p99: float
    accepted: int
    errors: int
    busy: float | None
    loadgen_cpu: float  # cores used by the load generator
    cpu_ms: float | None  # server CPU per accepted request
    other: float | None  # cores used by other work on the machine


def summarise(name: str, phases: list[Phase]) -> Summary:
    seconds = sum(p.seconds for p in phases)
    latencies = sorted(x for p in phases for x in p.outcome.latencies_ns)
    errors = sum(sum(p.outcome.failures.values()) for p in phases)
    busy_values = [p.machine_busy for p in phases if p.machine_busy is not None]
    server = [p.server_cpu for p in phases]
    cpu_ms = (sum(server) * 1e3 / len(latencies)  # type: ignore[arg-type]
              if latencies and None not in server else None)
    others = [p.other_cores for p in phases]
    other = None if None in others else sum(others) / len(others)  # type: ignore[arg-type]
    return Summary(name, len(latencies) / seconds, percentile(latencies, 0.50),
                   percentile(latencies, 0.99), len(latencies), errors,
                   sum(busy_values) / len(busy_values) if busy_values else None,
                   sum(p.outcome.cpu_seconds for p in phases) / seconds, cpu_ms, other)


def print_phase(phase: Phase) -> None:
    o = phase.outcome
    lat = sorted(o.latencies_ns)
    busy = f"  machine CPU {phase.machine_busy:4.0%}" if phase.machine_busy is not None else ""
    cpu = phase.cpu_ms_per_request
    server = f"  server CPU {cpu:5.2f} ms/req" if cpu is not None else ""
    other = f"  other work {phase.other_cores:.2f} cores" if phase.other_cores is not None else ""
    print(f"  {phase.name:8} {len(lat) / phase.seconds:8.1f} req/s  p50 {percentile(lat, .5):6.1f} ms"
          f"  p99 {percentile(lat, .99):6.1f} ms  errors {sum(o.failures.values())}{busy}{server}"
          f"  load generator {o.cpu_seconds / phase.seconds:.2f} cores{other}", flush=True)
    for kind, count in o.failures.most_common():
        print(f"      {count} x {kind}: {o.samples.get(kind, '')[:200]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase (20)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="baseline+intake pairs, alternated (2)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--procs", type=int, default=4, help="load generator processes (4)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unrecorded load first (3)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: what `tocsin serve` uses by default)")
    parser.add_argument("--responders", type=int, default=3,
                        help="responders in team `default`, each sealed to (3)")
    parser.add_argument("--narrative-bytes", type=int, default=2048, help="narrative size (2048)")
    parser.add_argument("--database-url", help="postgres://USER@HOST:PORT/NAME -- NAME is created "
                        "for the run and dropped after; it must not exist (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and server log")
    parser.add_argument("--floor", action="store_true",
                        help="also measure /bench/floor: only the validation, encryption and one row "
                             "the issue makes every report cost (the intake's ceiling on this machine)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.rounds < 1 or args.clients < 1 or args.responders < 1:
        parser.error("--seconds, --rounds, --clients and --responders must be positive")

    def terminate(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)  # also when started from a script that ignored it
    body = report_body(args.narrative_bytes)
    bench = Bench(args)
    try:
        if args.database_url:
            bench.create_database(args.database_url)
        database = f"PostgreSQL ({bench.pg_name})" if args.database_url else "SQLite (WAL, synchronous=FULL)"
        print(f"database: {database}; data directory {bench.data_dir}")
        print(f"setting up: migrate, {args.responders} responders in team default ...", flush=True)
        bench.setup()
        port = bench.start()
        print(f"server: {' '.join(Path(a).name if a == sys.executable else a for a in bench.serve_argv)}"
              f"  ({bench.web_workers()} gunicorn workers, DJANGO_SETTINGS_MODULE=bench.settings)")
        print(f"load: {args.clients} clients over {min(args.procs, args.clients)} processes, "
              f"{len(body)} byte JSON body, {args.seconds:g} s a phase, {os.cpu_count()} CPUs",
              flush=True)

        accepted_total = Counter()
        paths = [("baseline", BASELINE_PATH), ("intake", INTAKE_PATH)]
        if args.floor:
            paths.append(("floor", FLOOR_PATH))
        if args.warmup > 0:
            for name, path in paths:
                phase = load(name, port, report_plan(path, body), clients=args.clients, procs=args.procs,
                             seconds=args.warmup)
                accepted_total[name] += phase.outcome.accepted_total
                if not phase.outcome.latencies_ns:
                    print_phase(phase)
                    raise SystemExit(f"warm-up: {name} accepted nothing\n{bench.log()}")
        phases: dict[str, list[Phase]] = {name: [] for name, _path in paths}
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}/{args.rounds}", flush=True)
            for name, path in paths:
                phase = load(name, port, report_plan(path, body), clients=args.clients, procs=args.procs,
                             seconds=args.seconds, server_cpu=bench.server_cpu)
                accepted_total[name] += phase.outcome.accepted_total
                phases[name].append(phase)
                print_phase(phase)
        bench.stop()
        cases, rows = bench.stored_rows()
        row_writes = accepted_total["baseline"] + accepted_total["floor"]
        if cases < accepted_total["intake"] or rows < row_writes:
            raise SystemExit(f"lost writes: {accepted_total['intake']} reports and "
                             f"{row_writes} baseline rows answered 201, but the "
                             f"database holds {cases} and {rows}")

        base, intake = summarise("baseline", phases["baseline"]), summarise("intake", phases["intake"])
        floor = summarise("floor", phases["floor"]) if args.floor else None
        ratio = intake.rate / base.rate if base.rate else float("nan")
        print()
        print(f"{'':10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'machine CPU':>13}"
              f"{'server CPU ms/req':>19}{'loadgen cores':>15}{'other work':>12}")
        for s in (base, intake, *([floor] if floor else [])):
            busy = f"{s.busy:.0%}" if s.busy is not None else "-"
            cpu = f"{s.cpu_ms:.2f}" if s.cpu_ms is not None else "-"
            other = f"{s.other:.2f}" if s.other is not None else "-"
            print(f"{s.name:10}{s.rate:9.1f}{s.p50:9.1f}{s.p99:9.1f}{s.errors:8d}{busy:>13}"
                  f"{cpu:>19}{s.loadgen_cpu:15.2f}{other:>12}")
        print(f"ratio reports/baseline: {ratio:.2f} (target >= {TARGET_RATIO})"
              f" -- {'met' if ratio >= TARGET_RATIO else 'NOT met'}")
        if floor is not None:
            print(f"ratio floor/baseline: {floor.rate / base.rate if base.rate else float('nan'):.2f} "
                  "(the least work the issue asks of a report: the intake's ceiling here)")
        if base.cpu_ms and intake.cpu_ms:
            print(f"server CPU per request, baseline/intake: {base.cpu_ms / intake.cpu_ms:.2f} "
                  "(the ratio to expect where the CPU is the limit)")
        print(f"durable: every 201 is in the database after the server stopped "
              f"({cases} reports with {args.responders} sealed keys and an audit entry each, "
              f"audit chain intact; {rows} baseline rows)")
        return 0 if base.errors == 0 and intake.errors == 0 and (floor is None or floor.errors == 0) else 1
    except KeyboardInterrupt:
        print("\ninterrupted; stopping the server", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish (it is bounded)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())
