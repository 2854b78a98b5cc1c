# ruff: noqa: RUF001 -- Cyrillic names and «» quotes are the data here
"""Screening: accuracy on the labelled dev set, then latency on a million-row registry,
in-process and through ``tocsin serve`` beside a bare Django endpoint in the same run.

What runs
    A fresh data directory (and, with --database-url, a fresh PostgreSQL
    database) with ``bench.settings``. The bench process itself sets Django up
    against that database to load data and measure in-process.

    1. Accuracy: ../shared/data/screening_dev/registry.csv is loaded and every
       query of queries.csv is screened (``matching.match``): recall (queries
       of registered organisations answered protected or review), the share
       answered with the right organisation first, and false alarms (unrelated
       companies not answered clear). Targets 0.98, 0.95, 0.01.
    2. Scale: --organisations (1,000,000) generated organisations -- Russian
       NGO and media names from word lists, valid INN/OGRN -- are bulk-inserted
       beside the dev registry. The per-process index build time and the
       memory it takes are printed.
    3. In-process latency of a screening decision (``matching.match``) over a
       mix of queries: dev-set queries, generated organisations' names
       transliterated or with a typo, identifiers, and unrelated companies.
    4. API latency: ``tocsin serve`` (gunicorn) on loopback, a screening token
       made with ``tocsin token create``; --clients clients send the query mix
       to ``POST /api/v1/screenings`` and, alternately, the same bodies to
       ``POST /bench/baseline`` (a bare Django view storing the body as one
       row -- the screening also writes one row). p50/p99 of both and the ratio.
       Each worker builds its index at its first screening; warm-up requests
       trigger that before anything is measured.

Usage, from the repository root:
    .venv/bin/python -m bench.screening
    .venv/bin/python -m bench.screening --organisations 100000 --seconds 10
    .venv/bin/python -m bench.screening --database-url postgres://postgres@127.0.0.1:5432/screening_bench
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.intake import Bench, percentile

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "data" / "screening_dev"
if not DEV_SET.is_dir():
    DEV_SET = Path("/work/shared/data/screening_dev")
SCREENING_PATH = "/api/v1/screenings"
BASELINE_PATH = "/bench/baseline"
API_P99_TARGET_MS = 50.0

# -- A realistic registry ----------------------------------------------------------

FORMS = [
    ("Автономная некоммерческая организация", "ngo"), ("Благотворительный фонд", "ngo"),
    ("Региональная общественная организация", "ngo"), ("Общественная организация", "ngo"),
    ("Межрегиональная общественная организация", "ngo"), ("Фонд", "ngo"),
    ("Ассоциация", "journalists_association"), ("Некоммерческое партнёрство", "ngo"),
    ("Автономная некоммерческая организация «Редакция", "media"),
    ("Общество с ограниченной ответственностью «Редакция газеты", "media"),
]
ADJECTIVES = [
    'Свободный', 'Правовой', 'Сибирский', 'Женский', 'Молодёжный', 'Экологический', 'Независимый',
    'Уральский', 'Народный', 'Гражданский', 'Волжский', 'Северный', 'Южный', 'Городской',
    'Байкальский', 'Приморский', 'Кавказский', 'Донской', 'Открытый', 'Зелёный', 'Общественный',
    'Информационный', 'Социальный', 'Детский', 'Семейный', 'Культурный', 'Исторический',
    'Правозащитный', 'Научный', 'Просветительский', 'Региональный', 'Местный', 'Сельский', 'Речной',
    'Таёжный', 'Степной', 'Горный', 'Лесной', 'Морской', 'Полярный', 'Новый', 'Честный', 'Мирный',
    'Добрый', 'Живой', 'Светлый',
]
NOUNS = [
    'центр', 'голос', 'альянс', 'дом', 'мост', 'форум', 'союз', 'круг', 'щит', 'вестник', 'журнал',
    'ковчег', 'очаг', 'фронт', 'взгляд', 'фонд', 'клуб', 'совет', 'путь', 'берег', 'сад', 'луч',
    'ветер', 'остров', 'край', 'мир', 'диалог', 'выбор', 'шанс', 'проект', 'архив', 'музей',
    'приют', 'патруль', 'дозор', 'маяк', 'компас', 'горизонт', 'источник', 'родник', 'парус',
]
PLACES = [
    'Иркутска', 'Поволжья', 'Кавказа', 'Москвы', 'Петербурга', 'Томска', 'Казани', 'Перми',
    'Самары', 'Воронежа', 'Новосибирска', 'Красноярска', 'Екатеринбурга', 'Тюмени', 'Омска',
    'Барнаула', 'Читы', 'Якутии', 'Камчатки', 'Сахалина', 'Карелии', 'Мурманска', 'Архангельска',
    'Вологды', 'Твери', 'Ярославля', 'Костромы', 'Калуги', 'Тулы', 'Рязани', 'Курска',
]
PEOPLE = [
    'Андрея', 'Сахарова', 'Анны', 'Политковской', 'Натальи', 'Эстемировой', 'Юрия', 'Левады',
    'Людмилы', 'Алексеевой', 'Арсения', 'Рогинского', 'Сергея', 'Ковалёва', 'Дмитрия', 'Лихачёва',
]
COUNTRIES = ["RU"] * 8 + ["KZ", "KG", "BY", "AM", "UZ", "TJ"]


def inn_check(digits: str) -> str:
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def valid_inn(rng: random.Random) -> str:
    body = f"{rng.randrange(10 ** 9):09d}"
    return body + inn_check(body)


def valid_ogrn(rng: random.Random) -> str:
    body = f"{rng.choice('15')}{rng.randrange(10 ** 11):011d}"
    return body + str(int(body) % 11 % 10)


def generated_name(rng: random.Random) -> tuple[str, str, str]:
    """(name, kind, core): a name as the registry writes it, and its quoted core."""
    form, kind = rng.choice(FORMS)
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS)]
    roll = rng.random()
    if roll < 0.4:
        words.append(rng.choice(PLACES))
    elif roll < 0.55:
        pair = rng.randrange(len(PEOPLE) // 2) * 2
        words += ["имени", PEOPLE[pair], PEOPLE[pair + 1]]
    if rng.random() < 0.6:
        words.append(str(rng.randrange(1, 1000)))
    core = " ".join(words)
    if "«" in form:
        return f"{form} {core}»", kind, core
    return f"{form} «{core}»", kind, core


def insert_registry(count: int, seed: int = 5) -> list[tuple[str, str, str]]:
    """Insert ``count`` generated organisations with one multi-row statement per
    10,000 (``executemany``; model saves would take an hour); returns a sample of
    (ref, name, inn) to query for."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tocsin.registry.models import Organisation
    from tocsin.screening import index

    rng = random.Random(seed)
    sample: list[tuple[str, str, str]] = []
    fields = [f for f in Organisation._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    template = Organisation(created_at=now, updated_at=now)
    defaults = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    varying = ["ref", "kind", "name", "country", "inn", "ogrn", "status"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (f"INSERT INTO {connection.ops.quote_name(Organisation._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    batch: list[tuple] = []

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        batch.clear()

    for n in range(count):
        name, kind, _core = generated_name(rng)
        row = dict(defaults, ref=f"G{n:07d}", kind=kind, name=name, country=rng.choice(COUNTRIES),
                   inn=valid_inn(rng), ogrn=valid_ogrn(rng),
                   status=rng.choice(["registered"] * 8 + ["enrolled", "attested"]))
        batch.append(tuple(row[f.attname] for f in fields))
        if n % 997 == 0:
            sample.append((row["ref"], name, row["inn"]))
        if len(batch) == 10_000:
            flush()
    if batch:
        flush()
    assert set(varying) <= set(defaults)
    index.registry_changed()
    return sample


# -- Queries -------------------------------------------------------------------------


def typo(text: str, rng: random.Random) -> str:
    """One letter dropped or two swapped."""
    at = rng.randrange(1, max(2, len(text) - 1))
    if rng.random() < 0.5:
        return text[:at] + text[at + 1:]
    return text[:at] + text[at + 1:at + 2] + text[at] + text[at + 2:]


COMPANY_STEMS = [
    'Нефте', 'Строй', 'Торг', 'Металл', 'Фарма', 'Транс', 'Агро', 'Энерго', 'Лес', 'Хим', 'Газ',
    'Авто', 'Техно', 'Снаб',
]
COMPANY_ENDS = [
    'Хим', 'Инвест', 'Торг', 'Снаб', 'Сервис', 'Логистик', 'Монтаж', 'Ресурс', 'Пром', 'Трейд',
    'Групп', 'Маркет',
]


def company_name(rng: random.Random) -> str:
    name = f"{rng.choice(COMPANY_STEMS)}{rng.choice(COMPANY_ENDS)}"
    if rng.random() < 0.5:
        name += f" {rng.randrange(1, 100)}"
    return f"{rng.choice(['ООО', 'АО', 'ПАО', 'OOO'])} «{name}»"


def query_mix(sample: list[tuple[str, str, str]], rng: random.Random,
              protected_share: float = 0.1) -> list[dict]:
    """Queries as the enforcement desk would send them: mostly companies that
    are nobody we protect, the rest registered organisations' names written
    the way paperwork writes them (transliterated, with a typo, without the
    legal form) or their INN, and the dev set's queries for good measure."""
    import iuliia

    schemes = [iuliia.GOST_779_ALT, iuliia.GOST_779, iuliia.BGN_PCGN, iuliia.ICAO_DOC_9303,
               iuliia.WIKIPEDIA]
    registered: list[dict] = []
    with (DEV_SET / "queries.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["expected"]:
                identifiers = {k: row[k] for k in ("inn", "ogrn") if row[k]}
                registered.append({"name": row["query"], "identifiers": identifiers})
    for _ref, name, inn in sample:
        how = rng.random()
        if how < 0.4:
            registered.append({"name": rng.choice(schemes).translate(name)})
        elif how < 0.7:
            registered.append({"name": typo(name, rng)})
        elif how < 0.8:
            registered.append({"name": "организация", "identifiers": {"inn": inn}})
        else:
            registered.append({"name": re.sub(r"^[^«]*«|»$", "", name)})
    total = max(1000, int(len(registered) / max(protected_share, 0.01)))
    queries = rng.sample(registered, min(len(registered), int(total * protected_share)))
    while len(queries) < total:
        queries.append({"name": company_name(rng), "identifiers": {"inn": valid_inn(rng)}})
    rng.shuffle(queries)
    return queries


# -- Measuring -----------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def in_process(queries: list[dict], seconds: float) -> tuple[list[int], Counter]:
    from tocsin.screening import matching

    decisions: Counter = Counter()
    latencies: list[int] = []
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        query = queries[i % len(queries)]
        i += 1
        began = time.perf_counter_ns()
        decisions[matching.match(query["name"], query.get("identifiers", {})).decision] += 1
        latencies.append(time.perf_counter_ns() - began)
    return latencies, decisions


def _client(port: int, path: str, bodies: list[bytes], token: str, offset: int, deadline: float,
            out: list, lock: threading.Lock) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    latencies: list[int] = []
    statuses: Counter = Counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = offset
    while time.monotonic() < deadline:
        body = bodies[i % len(bodies)]
        i += 1
        began = time.monotonic_ns()
        try:
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            statuses[type(exc).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        statuses[response.status] += 1
        if response.status in (200, 201) and time.monotonic() < deadline:
            latencies.append(time.monotonic_ns() - began)
            if b'"decision": "protected"' in answer:
                out[2].append(latencies[-1])
    conn.close()
    with lock:
        out[0] += latencies
        out[1].update(statuses)


def _load_process(port: int, path: str, bodies: list[bytes], token: str, clients: int, seed: int,
                  deadline: float, results: mp.Queue) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out: list = [[], Counter(), []]
    lock = threading.Lock()
    threads = [threading.Thread(target=_client, args=(port, path, bodies, token, seed * 7919 + n * 104729,
                                                      deadline, out, lock)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((out[0], out[1], out[2]))


def load(port: int, path: str, bodies: list[bytes], token: str, *, clients: int, procs: int,
         seconds: float) -> tuple[list[int], Counter, list[int]]:
    ctx = mp.get_context("fork")
    results: mp.Queue = ctx.Queue()
    procs = max(1, min(procs, clients))
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    deadline = time.monotonic() + seconds
    children = [ctx.Process(target=_load_process, args=(port, path, bodies, token, n, i, deadline, results),
                            daemon=True) for i, n in enumerate(shares)]
    for child in children:
        child.start()
    latencies: list[int] = []
    protected: list[int] = []
    statuses: Counter = Counter()
    for _ in children:
        got, counts, opened = results.get(timeout=seconds + 120)
        latencies += got
        statuses.update(counts)
        protected += opened
    for child in children:
        child.join(timeout=5)
    return sorted(latencies), statuses, sorted(protected)


def line(name: str, latencies: list[int], seconds: float, statuses: Counter | None = None) -> str:
    extra = f"  statuses {dict(statuses)}" if statuses else ""
    return (f"  {name:24} {len(latencies) / seconds:8.1f} req/s  p50 {percentile(latencies, .5):7.2f} ms"
            f"  p99 {percentile(latencies, .99):7.2f} ms{extra}")


# -- Main ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=1_000_000,
                        help="generated organisations (1,000,000)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each measured phase (15)")
    parser.add_argument("--rounds", type=int, default=2, help="baseline+screening pairs (2)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients (4)")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes (2)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (serve's default)")
    parser.add_argument("--database-url", help="postgres://USER@HOST:PORT/NAME -- created for the run "
                        "and dropped after; it must not exist (default: SQLite)")
    parser.add_argument("--protected-share", type=float, default=0.1,
                        help="share of queries naming a registered organisation (0.1); each "
                        "such answer opens a case and writes alerts")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args(argv)
    args.responders = 1

    def terminate(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    bench = Bench(args)
    failed = False
    try:
        if args.database_url:
            bench.create_database(args.database_url)
        database = f"PostgreSQL ({bench.pg_name})" if args.database_url else "SQLite"
        print(f"database: {database}; data directory {bench.data_dir}", flush=True)
        bench.setup()  # migrate, one responder in team default (a protected answer opens a case)
        os.environ.update(bench.env)
        import django

        django.setup()
        from tocsin.screening import evaluation, index

        # 1. Accuracy on the labelled set.
        evaluation.load_registry(DEV_SET)
        figures = evaluation.evaluate(DEV_SET)
        print(f"\ndev set ({figures.queries} queries): recall {figures.recall:.3f} (target >= 0.98)  "
              f"right organisation {figures.right_organisation:.3f} (>= 0.95)  "
              f"false alarms {figures.false_alarms:.3f} (<= 0.01)  near misses answered "
              f"{figures.near_misses}", flush=True)
        for query, variant, what in figures.misses:
            print(f"    miss: {variant}: {query!r} -> {what}")
        failed |= not figures.meets_targets()

        # 2. A million-row registry.
        began = time.perf_counter()
        sample = insert_registry(args.organisations)
        print(f"\nregistry: {args.organisations:,} generated organisations inserted in "
              f"{time.perf_counter() - began:.0f} s", flush=True)
        index.forget()
        before = rss_mb()
        build = index.warm()
        print(f"index: built in {build:.1f} s per process, {rss_mb() - before:.0f} MB "
              f"(process RSS {rss_mb():.0f} MB)", flush=True)

        # 3. In-process.
        rng = random.Random(7)
        queries = query_mix(sample, rng, args.protected_share)
        latencies, decisions = in_process(queries, args.seconds)
        latencies.sort()
        print(f"\nin-process ({len(queries)} distinct queries; {len(latencies)} screened, answered "
              f"{dict(decisions)}):")
        print(line("matching.match", latencies, args.seconds), flush=True)

        # 4. Through the API.
        from django.db import connections
        connections.close_all()
        token_out = bench.tocsin("token", "create", "--scope", "screening", "--name", "bench",
                                 "--rate", "1000000")
        token = next(word for word in token_out.split() if word.startswith("tocsin_"))
        port = bench.start()
        bodies = [json.dumps(q, ensure_ascii=False).encode() for q in queries]
        print(f"\nAPI: {bench.web_workers()} gunicorn workers, {args.clients} clients over "
              f"{min(args.procs, args.clients)} processes, {args.seconds:g} s a phase", flush=True)
        warm_began = time.perf_counter()
        load(port, SCREENING_PATH, bodies, token, clients=max(args.clients, 8), procs=args.procs,
             seconds=3)  # every worker builds its index here
        print(f"  warm-up (index build in each worker) took {time.perf_counter() - warm_began:.0f} s",
              flush=True)
        load(port, BASELINE_PATH, bodies, token, clients=args.clients, procs=args.procs, seconds=2)
        totals: dict[str, list[int]] = {"baseline": [], "screening": [], "protected": []}
        for _ in range(args.rounds):
            for name, path in (("baseline", BASELINE_PATH), ("screening", SCREENING_PATH)):
                got, statuses, opened = load(port, path, bodies, token, clients=args.clients,
                                             procs=args.procs, seconds=args.seconds)
                print(line(name, got, args.seconds, statuses), flush=True)
                totals[name] += got
                totals["protected"] += opened
                failed |= any(not isinstance(s, int) or s >= 300 for s in statuses)
        base, screening = sorted(totals["baseline"]), sorted(totals["screening"])
        span = args.seconds * args.rounds
        print("\ntotal:")
        print(line("bare Django (baseline)", base, span))
        print(line("POST /api/v1/screenings", screening, span))
        print(line("  of which protected", sorted(totals["protected"]), span)
              + "  (each opens a case and writes alerts)")
        settled = Counter(screening)
        settled.subtract(totals["protected"])
        print(line("  of which review/clear", sorted(settled.elements()), span))
        p99 = percentile(screening, .99)
        print(f"  ratio screening/baseline: p50 {percentile(screening, .5) / percentile(base, .5):.2f}x"
              f"  p99 {p99 / percentile(base, .99):.2f}x;  API p99 {p99:.1f} ms "
              f"(target < {API_P99_TARGET_MS:g} ms at {args.organisations:,} organisations)")
        failed |= p99 >= API_P99_TARGET_MS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        bench.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
