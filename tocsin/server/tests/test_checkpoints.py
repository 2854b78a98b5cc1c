"""The worker copies SQLite's write-ahead log into the database file, outside the writers' queue."""


import pytest
from django.db import connection

from tocsin.server.sqlite import checkpoints
from tocsin.server.tests.subprocesses import probe_sqlite

# A fresh process with the production settings and a database file: the test
# database is in memory, where there is no log.
PROBE = """
import django, fcntl, io, json, os, shutil, sqlite3, time
os.environ["DJANGO_SETTINGS_MODULE"] = "tocsin.settings"
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from tocsin.server.sqlite import checkpoints

db = connection.settings_dict["NAME"]
call_command("migrate", verbosity=0)
# Open, as a web worker's connection would be: the last connection to close
# a database checkpoints on its way out, which would hide what is tested.
bystander = sqlite3.connect(db)
bystander.execute("SELECT count(*) FROM django_migrations").fetchall()

def write(table):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (x)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} VALUES (?)", [(n,) for n in range(200)])

def in_database_file(table):
    # The rows a copy of the database file alone holds, without the log.
    copy = db + ".copy"
    shutil.copyfile(db, copy)
    try:
        seen = sqlite3.connect(f"file:{copy}?immutable=1", uri=True)
        try:
            return seen.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            seen.close()
    finally:
        os.remove(copy)

result = {}
write("by_hand")
result["by_hand_before"] = in_database_file("by_hand")
# Another writer holds the queue: a checkpoint neither waits for it nor takes it.
holder = os.open(db + "-writers", os.O_RDWR | os.O_CREAT)
fcntl.flock(holder, fcntl.LOCK_EX)
started = time.monotonic()
result["outcome"] = checkpoints.checkpoint()
result["seconds"] = time.monotonic() - started
os.close(holder)
result["by_hand_after"] = in_database_file("by_hand")

write("by_worker")
result["by_worker_before"] = in_database_file("by_worker")
call_command("worker", "--once", stdout=io.StringIO())
result["by_worker_after"] = in_database_file("by_worker")
bystander.close()
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict:
    return probe_sqlite(PROBE, tmp_path_factory.mktemp("checkpoints"), timeout=120)


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's log only")


@sqlite_only
def test_committed_rows_wait_in_the_log_until_a_checkpoint(probed):
    assert probed["by_hand_before"] == 0
    assert probed["by_worker_before"] == 0


@sqlite_only
def test_a_checkpoint_copies_the_log_into_the_database_file(probed):
    busy, log_frames, copied_frames = probed["outcome"]
    assert not busy
    assert copied_frames == log_frames > 0
    assert probed["by_hand_after"] == 200


@sqlite_only
def test_a_checkpoint_does_not_wait_for_the_writers_queue(probed):
    assert probed["seconds"] < 5  # the queue's own timeout is 20 s


@sqlite_only
def test_the_worker_checkpoints(probed):
    assert probed["by_worker_after"] == 200


@pytest.mark.skipif(connection.vendor == "sqlite", reason="other databases only")
def test_it_does_nothing_on_other_databases():
    assert checkpoints.checkpoint() is None
