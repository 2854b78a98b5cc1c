"""The embedded database: WAL, synchronous=FULL, IMMEDIATE transactions, writers queued at a file lock."""

import fcntl
import os
import threading
import time

import pytest
from django.db import connection

from tocsin.server.tests.subprocesses import probe_sqlite

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings only")

# Runs in a fresh process with the production settings and a database file,
# since the test database is in memory, where WAL does not exist.
PROBE = """
import django, fcntl, json, os, sqlite3
os.environ["DJANGO_SETTINGS_MODULE"] = "tocsin.settings"
django.setup()
from django.db import connection, transaction

def queue_taken():
    fd = os.open(connection.settings_dict["NAME"] + "-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False

def pragma(name):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]

result = {"journal_mode": pragma("journal_mode"), "synchronous": pragma("synchronous"),
          "busy_timeout": pragma("busy_timeout"), "wal_autocheckpoint": pragma("wal_autocheckpoint")}
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
    result["queue_taken_in_transaction"] = queue_taken()
result["queue_free_after_commit"] = not queue_taken()
try:
    with transaction.atomic():
        raise KeyError
except KeyError:
    pass
result["queue_free_after_rollback"] = not queue_taken()
result["engine"] = connection.settings_dict["ENGINE"]
other.execute("BEGIN IMMEDIATE")
other.execute("ROLLBACK")
other.close()
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict:
    return probe_sqlite(PROBE, tmp_path_factory.mktemp("sqlite"))


def test_it_uses_write_ahead_logging(probed):
    assert probed["journal_mode"] == "wal"


def test_it_syncs_fully_so_an_accepted_report_survives_a_power_cut(probed):
    assert probed["synchronous"] == 2


def test_it_takes_the_write_lock_when_a_transaction_begins(probed):
    assert probed["writer_waits_at_begin"] is True


def test_a_transaction_takes_its_place_in_the_writers_queue(probed):
    assert probed["engine"] == "tocsin.server.sqlite"
    assert probed["queue_taken_in_transaction"] is True


def test_the_queue_is_free_again_after_commit_and_after_rollback(probed):
    assert probed["queue_free_after_commit"] is True
    assert probed["queue_free_after_rollback"] is True


def test_a_writer_waits_for_the_queue_and_goes_on_when_it_is_free(tmp_path):
    from tocsin.server.sqlite.base import WriterQueue

    path = str(tmp_path / "db-writers")
    first, second = WriterQueue(path, timeout=20), WriterQueue(path, timeout=20)
    first.acquire()
    entered = threading.Event()

    def wait_then_enter() -> None:
        second.acquire()
        entered.set()

    waiter = threading.Thread(target=wait_then_enter)
    waiter.start()
    try:
        assert not entered.wait(0.3)  # queued behind the first writer
        first.release()
        assert entered.wait(5)
        assert second.held
    finally:
        first.close()
        waiter.join(5)
        second.close()


def test_a_writer_stuck_in_the_queue_gives_way_to_sqlites_own_wait(tmp_path):
    """Past the database's timeout the writer stops queueing and goes on to
    BEGIN, where SQLite answers "database is locked" as it would without the
    queue: a stuck holder never hangs everyone."""
    from tocsin.server.sqlite.base import WriterQueue

    path = str(tmp_path / "db-writers")
    holder = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    queue = WriterQueue(path, timeout=0.05)
    try:
        started = time.monotonic()
        queue.acquire()
        assert not queue.held
        assert time.monotonic() - started < 5
    finally:
        queue.close()
        os.close(holder)


def test_a_commit_checkpoints_only_past_the_safety_net(probed):
    """SQLite's default (1000 pages) would make every ~45th report copy the log
    into the database file while every other writer waits in the queue."""
    from tocsin.server.sqlite.checkpoints import AUTOCHECKPOINT_PAGES

    assert probed["wal_autocheckpoint"] == AUTOCHECKPOINT_PAGES >= 10_000


def test_it_waits_for_the_lock_instead_of_failing(probed):
    assert probed["busy_timeout"] == 20000


@pytest.mark.django_db
def test_the_live_test_connection_has_the_same_settings():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 10_000
    assert connection.transaction_mode == "IMMEDIATE"
