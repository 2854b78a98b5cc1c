"""Waking workers on commit: PostgreSQL's LISTEN/NOTIFY, or a datagram to
each worker's socket on SQLite -- and never on a rollback."""

from __future__ import annotations

import os
import socket

import pytest
from django.db import connection, transaction

from tocsin.alerts import wakeup
from tocsin.alerts.tests.delivery import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listeners():
    made: list[wakeup.Listener] = []

    def make() -> wakeup.Listener:
        made.append(wakeup.Listener())
        return made[-1]

    yield make
    for listener in made:
        listener.close()


def commit_a_wakeup() -> None:
    with transaction.atomic():
        wakeup.notify_on_commit()


def listening_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE query = %s AND datname = %s",
                       [f"LISTEN {wakeup.CHANNEL}", connection.settings_dict["NAME"]])
        return [row[0] for row in cursor.fetchall()]


def own_sockets() -> list[str]:
    return [name for name in os.listdir(wakeup.socket_dir()) if name.startswith(f"{os.getpid()}-")]


def test_it_wakes_every_listener_on_commit(listeners):
    first, second = listeners(), listeners()
    assert first.listening and second.listening
    assert not first.wait(0.05)
    commit_a_wakeup()
    assert first.wait(5) and second.wait(5)
    assert not first.wait(0.05)  # drained: one wake-up, one return


def test_a_worker_about_to_claim_anyway_keeps_commits_for_later(listeners):
    listener = listeners()
    commit_a_wakeup()
    assert listener.wait(0.2, commits=False) == wakeup.Woken.NOTHING
    listener.poke()
    assert listener.wait(5, commits=False) == wakeup.Woken.POKE  # a poke still wakes it
    assert listener.wait(5) == wakeup.Woken.COMMIT  # the commit's wake-up was kept


def test_it_does_not_wake_on_a_rollback(listeners):
    listener = listeners()
    with pytest.raises(RuntimeError), transaction.atomic():
        wakeup.notify_on_commit()
        raise RuntimeError
    assert not listener.wait(0.3)


def test_it_wakes_on_a_poke_from_another_thread(listeners):
    listener = listeners()
    listener.poke()
    assert listener.wait(5)
    assert not listener.wait(0.05)


def test_it_listens_where_a_commit_reaches_it_and_stops_when_closed():
    """PostgreSQL: a LISTEN session opened with Django's own connection
    parameters. SQLite: a socket of its own in the data directory."""
    listener = wakeup.Listener()
    try:
        if connection.vendor == "postgresql":
            assert len(listening_backends()) == 1
        else:
            assert len(own_sockets()) == 1
    finally:
        listener.close()
    if connection.vendor == "postgresql":
        wait_until(lambda: not listening_backends(), 5, "the LISTEN session to end")
    else:
        assert own_sockets() == []


def test_it_recovers_when_its_wakeup_source_is_lost(listeners):
    """PostgreSQL: its session is killed; it polls, listens again, and says it
    was woken (anything may have committed meanwhile). SQLite: the socket of a
    worker killed without clean-up is cleared by the next commit."""
    listener = listeners()
    if connection.vendor == "postgresql":
        listener.RECONNECT_SECONDS = 0.0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", listening_backends())
        for _ in range(3):
            listener.wait(5)
            if not listener.listening:
                break
        assert not listener.listening
        assert listener.wait(5)
        assert listener.listening
    else:
        stale = wakeup.socket_dir() / "99999-dead.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as gone:
            gone.bind(str(stale))  # bound, then closed without clean-up: as after SIGKILL
        commit_a_wakeup()
        assert listener.wait(5)
        assert not stale.exists()
    commit_a_wakeup()
    assert listener.wait(5)


def test_it_says_whether_alerts_committed_or_a_delivery_finished(listeners):
    """The worker claims on a commit; on a poke (a delivery of its own
    finished) it need not look for alerts, unless the last claim left some."""
    listener = listeners()
    listener.poke()
    assert listener.wait(5) == wakeup.Woken.POKE
    commit_a_wakeup()
    assert listener.wait(5) & wakeup.Woken.COMMIT
