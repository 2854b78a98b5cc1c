"""The embedded database: WAL, synchronous=FULL and IMMEDIATE transactions."""

import json

import pytest
from django.db import connection

from tocsin.server.tests.subprocesses import clean_env, run_python

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings only")

# Runs in a fresh process with the production settings and a database file,
# since the test database is in memory, where WAL does not exist.
PROBE = """
import django, json, os, sqlite3
os.environ["DJANGO_SETTINGS_MODULE"] = "tocsin.settings"
django.setup()
from django.db import connection, transaction

def pragma(name):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]

result = {"journal_mode": pragma("journal_mode"), "synchronous": pragma("synchronous"),
          "busy_timeout": pragma("busy_timeout")}
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x)")
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
with transaction.atomic():
    # Nothing written yet: only an IMMEDIATE transaction already holds the write lock.
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        result["writer_waits_at_begin"] = False
    except sqlite3.OperationalError as exc:
        result["writer_waits_at_begin"] = "locked" in str(exc)
other.execute("BEGIN IMMEDIATE")
other.execute("ROLLBACK")
other.close()
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("sqlite")
    env = clean_env(TOCSIN_SECRET_KEY="x", TOCSIN_DATA_DIR=str(folder / "var"))
    result = run_python(PROBE, cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_uses_write_ahead_logging(probed):
    assert probed["journal_mode"] == "wal"


def test_it_syncs_fully_so_an_accepted_report_survives_a_power_cut(probed):
    assert probed["synchronous"] == 2


def test_it_takes_the_write_lock_when_a_transaction_begins(probed):
    assert probed["writer_waits_at_begin"] is True


def test_it_waits_for_the_lock_instead_of_failing(probed):
    assert probed["busy_timeout"] == 20000


@pytest.mark.django_db
def test_the_live_test_connection_has_the_same_settings():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
    assert connection.transaction_mode == "IMMEDIATE"
