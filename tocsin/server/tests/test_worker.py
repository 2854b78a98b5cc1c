"""`tocsin worker`: housekeeping on every pass until stopped."""

import datetime as dt
import io
import signal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

# The worker runs in autocommit and closes stale connections after each pass,
# as in production; inside a test's transaction that would close it mid-test.
pytestmark = pytest.mark.django_db(transaction=True)


def session_expiring_at(when: dt.datetime) -> str:
    session = SessionStore()
    session["anything"] = 1
    session.create()
    key = str(session.session_key)
    Session.objects.filter(session_key=key).update(expire_date=when)
    return key


def test_it_purges_expired_sessions_in_one_pass():
    expired = session_expiring_at(timezone.now() - dt.timedelta(minutes=1))
    current = session_expiring_at(timezone.now() + dt.timedelta(hours=1))
    call_command("worker", "--once", stdout=io.StringIO())
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=current).exists()


def test_it_gives_back_the_callers_signal_handlers():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    call_command("worker", "--once", stdout=io.StringIO())
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_a_pass_sends_the_audit_anchor_to_administrators(adam):
    from tocsin.alerts.models import Alert
    from tocsin.alerts.tests.delivery import add_channel
    from tocsin.audit import anchoring, log

    add_channel("json://127.0.0.1:9/adam", user="adam")  # audited: the log has an entry
    call_command("worker", "--once", stdout=io.StringIO())
    [alert] = Alert.objects.filter(event=anchoring.AUDIT_ANCHOR)
    assert alert.payload["anchor"] == str(log.anchor())
