"""Registry import at scale: ``tocsin registry import`` on a generated file.

What runs
    A CSV of --rows organisations (default 1,000,000) with the columns of
    ../shared/data/screening_dev/registry.csv, every INN and OGRN valid by
    its check digits and unique, is written to a fresh data directory. Then
    ``tocsin migrate`` and ``tocsin registry import FILE --quiet`` run there as
    child processes on SQLite (or on --database-url), and the import runs a
    second time on the same file (every row found, nothing changed) to time
    the re-import path. Everything is removed at the end unless --keep.

What is measured
    Wall time and rows per second of each import, its CPU time (user and
    system; on a machine shared with other work the wall time moves, the CPU
    time much less), and the peak resident
    memory of each import process alone (os.wait4's rusage, ru_maxrss): the
    figure that shows whether memory stays bounded as the file grows (run
    with --rows 100000 and 1000000 to compare).

Usage, from the repository root:
    .venv/bin/python -m bench.registry_import
    .venv/bin/python -m bench.registry_import --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tocsin.registry.identifiers import inn_check_digits, ogrn_check_digit

TOCSIN = str(Path(sys.executable).with_name("tocsin"))
KINDS = ["ngo"] * 7 + ["media", "journalists_association", "informal_group"]
COUNTRIES = ["AM", "AZ", "BY", "CN", "KZ", "KG", "MY", "RU", "TJ", "TM", "UZ", "VN"]
FORMS = ["Общественная организация", "Автономная некоммерческая организация", "Фонд",
         "Региональная общественная организация", "Редакция газеты"]
WORDS = ["Байкальская", "экологическая", "волна", "Правозащитный", "центр", "Голос", "Мемориал",
         "Северный", "Сибирский", "свободная", "пресса", "Гражданское", "содействие", "Уральский",
         "дом", "Открытый", "мир", "Новая", "газета", "Независимый", "союз", "Помощь", "Земля"]


def generate(path: Path, rows: int, seed: int = 2010) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "name", "name_en", "kind", "country", "inn", "ogrn", "status"])
        for i in range(rows):
            # Sequence numbers in the bodies keep every identifier unique.
            inn_body = f"{rng.randint(10, 99)}{i:07d}"
            ogrn_body = f"1{rng.randint(2, 24):02d}{rng.randint(10, 99)}{i:07d}"
            words = " ".join(rng.sample(WORDS, 3))
            out.writerow([f"G{i:07d}", f"{rng.choice(FORMS)} «{words.capitalize()}»", f"Org {i}",
                          rng.choice(KINDS), rng.choice(COUNTRIES),
                          inn_body + inn_check_digits(inn_body), ogrn_body + ogrn_check_digit(ogrn_body),
                          "registered"])


def run_with_rusage(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MiB, stdout) of one child process, from its own rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{err.read().decode()}")
        # ru_maxrss is in KiB on Linux.
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tocsin-bench-registry-"))
    env = {**os.environ, "TOCSIN_DATA_DIR": str(data_dir),
           "TOCSIN_SECRET_KEY": "bench-only-secret-key", "DJANGO_SETTINGS_MODULE": "tocsin.settings"}
    env.pop("DATABASE_URL", None)
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    try:
        path = data_dir / "registry.csv"
        start = time.perf_counter()
        generate(path, options.rows)
        print(f"generated {options.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - start:.1f} s")
        run_with_rusage([TOCSIN, "migrate", "--verbosity", "0"], env)
        database = "PostgreSQL" if options.database_url else "SQLite"
        for label in ("import", "re-import"):
            seconds, cpu, rss, out = run_with_rusage([TOCSIN, "registry", "import", str(path), "--quiet"],
                                                      env)
            print(f"{database} {label}: {options.rows:,} rows in {seconds:.1f} s = "
                  f"{options.rows / seconds:,.0f} rows/s (CPU {cpu:.1f} s = {options.rows / cpu:,.0f} "
                  f"rows per CPU-second), peak RSS {rss:.0f} MiB ({out})")
    finally:
        if options.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
