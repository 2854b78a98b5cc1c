"""CPU per delivered alert, in the delivering process, to a local webhook receiver.

What runs
    A ``WebhookReceiver`` in a process of its own (its CPU is not counted),
    and in this process ``outbox.deliver`` of --count alerts of one channel
    that points at it -- one after the other, or from a pool of --threads as
    the worker does. No database: the alerts and their channel are unsaved
    rows, so only the delivery itself is measured, not the outbox's queries.

With --worker, instead: a real ``tocsin worker`` process on a fresh data
    directory (SQLite, or the PostgreSQL database of --database-url, created
    and dropped), and this process announcing alerts to that channel at
    --rate for --seconds, each in a transaction of its own as the intake
    does. The worker's CPU (from /proc) is measured while idle for as long,
    and then under the load; with --profile, py-spy (--py-spy) samples it.

What is printed
    CPU time of this process (``time.process_time``, all threads) per
    delivery, and wall time per delivery. On a shared machine the wall time
    moves with the load; the CPU time much less. With --profile, the
    functions taking the most CPU (cProfile; one thread only).

Usage, from the repository root:
    .venv/bin/python -m bench.alert_delivery --count 500
    .venv/bin/python -m bench.alert_delivery --count 300 --threads 1 --profile
    .venv/bin/python -m bench.alert_delivery --worker --rate 100 --seconds 10
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import multiprocessing as mp
import os
import pstats
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.intake import REPO, Bench, process_table


def _receive(port_out: mp.Queue, stop: mp.Event) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from tocsin.alerts.receivers import WebhookReceiver

    with WebhookReceiver() as hook:
        port_out.put(hook.port)
        stop.wait()


@contextlib.contextmanager
def receiver_process() -> Iterator[int]:
    """A webhook receiver in a process of its own (its work is not the
    measured process's); yields its port."""
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    ports: mp.Queue = ctx.Queue()
    receiver = ctx.Process(target=_receive, args=(ports, stop), daemon=True)
    receiver.start()
    try:
        yield ports.get(timeout=30)
    finally:
        stop.set()
        receiver.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1, help="deliver from a pool of this many threads (1)")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's top functions (--threads 1); with --worker, py-spy's")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--worker", action="store_true", help="measure a real worker process instead")
    parser.add_argument("--rate", type=float, default=100.0, help="alerts per second (--worker)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase (--worker)")
    parser.add_argument("--database-url", help="PostgreSQL server and a new database name (--worker)")
    parser.add_argument("--py-spy", default="py-spy", help="py-spy to sample the worker with (--profile)")
    args = parser.parse_args(argv)
    if args.worker:
        return measure_worker(args)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.settings_test")
    import django

    django.setup()
    from django.utils import timezone

    from tocsin.alerts import outbox
    from tocsin.alerts import secrets as channel_secrets
    from tocsin.alerts.models import Alert, Channel

    with receiver_process() as port:
        channel = Channel(pk=1, sealed_url=channel_secrets.seal_url(f"json://127.0.0.1:{port}/hook"),
                          label="bench", allow_private=True)
        now = timezone.now()
        fields = {"country": "RU", "act_types": "raid, seizure", "severity": "high",
                  "link": "https://tocsin.example.org/staff/cases/TX-AAAA-BBBB/"}

        def alert(n: int) -> Alert:
            return Alert(pk=n + 1, channel=channel, event="new_report", reference="TX-AAAA-BBBB",
                         payload={"title": "New report TX-AAAA-BBBB: raid, seizure in RU", **fields},
                         idempotency_key=f"bench{n:08d}-1", next_attempt_at=now, created_at=now)

        def run(alerts: list[Alert]) -> list[outbox.Outcome]:
            if args.threads == 1:
                return [outbox.deliver(a) for a in alerts]
            with ThreadPoolExecutor(max_workers=args.threads) as pool:
                return list(pool.map(outbox.deliver, alerts))

        run([alert(-1 - n) for n in range(args.warmup)])
        alerts = [alert(n) for n in range(args.count)]
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        outcomes = run(alerts)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        failed = [o.error for o in outcomes if o.error is not None]
        print(f"{args.count} deliveries, {args.threads} thread(s): CPU {cpu / args.count * 1000:.2f} ms "
              f"per delivery, wall {wall / args.count * 1000:.2f} ms per delivery; {len(failed)} failed"
              + (f" ({failed[0]})" if failed else ""))
        if profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
            print(out.getvalue())
        return 1 if failed else 0


def _cpu_seconds(pid: int, *, kernel: bool = False) -> float:
    """CPU seconds ``pid`` used so far: user and kernel, or the kernel's part only."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[12]) if kernel else int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _backends_cpu(database: str | None, own: int | None) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving ``database``, but ours."""
    if database is None:
        return 0.0
    ticks = sum(t for pid, (_, t, cmd) in process_table().items()
                if pid != own and cmd.startswith("postgres:") and f" {database} " in cmd)
    return ticks / os.sysconf("SC_CLK_TCK")


def measure_worker(args: argparse.Namespace) -> int:
    bench = Bench(argparse.Namespace(keep=False))
    try:
        with receiver_process() as port:
            if args.database_url:
                bench.create_database(args.database_url)
            bench.tocsin("migrate", "--noinput")
            os.environ.update(bench.env)
            import django

            django.setup()
            from django.db import transaction

            from tocsin.accounts.models import Team
            from tocsin.alerts import outbox
            from tocsin.alerts import secrets as channel_secrets
            from tocsin.alerts.models import Alert, Channel

            team = Team.objects.get_or_create(name=Team.DEFAULT)[0]
            channel = Channel.objects.create(team=team, label="bench", allow_private=True,
                                             sealed_url=channel_secrets.seal_url(f"json://127.0.0.1:{port}/hook"))
            fields = {"country": "RU", "act_types": "raid, seizure", "severity": "high",
                      "link": "https://tocsin.example.org/staff/cases/TX-AAAA-BBBB/"}
            counter = iter(range(10**9))

            def announce() -> None:
                n = next(counter)
                with transaction.atomic():
                    reference = f"TX-{n:08d}"
                    announcement = outbox.Announcement("new_report", f"New report {reference}", reference,
                                                       fields)
                    outbox.announce_each([(announcement, [channel.pk])])

            def delivered() -> int:
                return Alert.objects.filter(status=Alert.Status.DELIVERED).count()

            def wait_delivered(count: int, timeout: float = 60.0) -> float:
                deadline = time.monotonic() + timeout
                while delivered() < count and time.monotonic() < deadline:
                    time.sleep(0.05)
                return time.monotonic()

            bench.server = subprocess.Popen([sys.executable, "-m", "tocsin", "worker"], cwd=REPO,
                                            env=bench.env, start_new_session=True)
            pid = bench.server.pid
            for _ in range(args.warmup):
                announce()
            wait_delivered(args.warmup)
            time.sleep(1.0)

            cpu = _cpu_seconds(pid)
            time.sleep(args.seconds)
            idle = (_cpu_seconds(pid) - cpu) / args.seconds

            spy = None
            if args.profile:
                spy = subprocess.Popen([args.py_spy, "record", "--pid", str(pid),
                                        "--duration", str(int(args.seconds)), "--rate", "200", "--threads",
                                        "--gil", "--format", "raw", "--output",
                                        str(bench.data_dir / "worker.spy")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
            count = int(args.rate * args.seconds)
            from django.db import connection

            own = None
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    own = cursor.fetchone()[0]
            backends = _backends_cpu(bench.pg_name, own)
            start, cpu, kernel = time.monotonic(), _cpu_seconds(pid), _cpu_seconds(pid, kernel=True)
            for n in range(count):
                time.sleep(max(0.0, start + n / args.rate - time.monotonic()))
                announce()
            finished = wait_delivered(args.warmup + count)
            busy, elapsed = _cpu_seconds(pid) - cpu, finished - start
            kernel = _cpu_seconds(pid, kernel=True) - kernel
            backends = _backends_cpu(bench.pg_name, own) - backends
            done = delivered() - args.warmup
            database = "PostgreSQL" if args.database_url else "SQLite"
            print(f"worker on {database}: idle {idle * 1000:.1f} ms CPU/s; "
                  f"{done} of {count} alerts delivered at {args.rate:g}/s in {elapsed:.1f} s, "
                  f"worker CPU {busy / count * 1000:.2f} ms per alert "
                  f"({(busy - idle * elapsed) / count * 1000:.2f} ms beyond idle; "
                  f"{kernel / count * 1000:.2f} ms of it in the kernel)"
                  + (f"; its PostgreSQL backend(s) {backends / count * 1000:.2f} ms per alert"
                     if own else ""))
            if spy is not None:
                spy.wait(timeout=args.seconds + 30)
                print(_hot_spots(bench.data_dir / "worker.spy"))
            return 0 if done == count else 1
    finally:
        bench.cleanup()


def _hot_spots(path: Path, top: int = 40) -> str:
    """py-spy's raw stacks as "share of samples: function", by self and inclusive time."""
    own: Counter[str] = Counter()
    within: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        n = int(samples)
        frames = stack.split(";")[1:]  # the first is the thread
        total += n
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            within[frame] += n
    rows = ["self:"] + [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    rows += ["inclusive:"] + [f"  {n / total:6.1%}  {f}" for f, n in within.most_common(top)]
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
