"""At least once: a failed delivery is retried with exponential back-off under
the same idempotency key, and after MAX_ATTEMPTS it is a dead letter that
administrators see. The clock is passed in, never waited for."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.utils import timezone

from tocsin.accounts.models import Team
from tocsin.alerts import actions, outbox, transport
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel

pytestmark = pytest.mark.django_db


def test_it_backs_off_exponentially_up_to_half_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in range(1, 13)] == [
        5, 10, 20, 40, 80, 160, 320, 640, 1280, 1800, 1800, 1800]
    # MAX_ATTEMPTS attempts, the waits between them: inside a two-hour promise.
    total = sum((outbox.backoff(n) for n in range(1, outbox.MAX_ATTEMPTS)), dt.timedelta())
    assert dt.timedelta(hours=1, minutes=30) < total < dt.timedelta(hours=2)


def test_it_retries_with_back_off_under_the_same_key(rita, report):
    with WebhookReceiver(failures=2) as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        report()
        now = timezone.now()
        assert outbox.deliver_due(now=now) == 1
        alert = Alert.objects.get()
        assert (alert.status, alert.attempts) == (Alert.Status.PENDING, 1)
        assert alert.next_attempt_at == now + dt.timedelta(seconds=5)
        assert "500" in alert.last_error
        assert outbox.deliver_due(now=now + dt.timedelta(seconds=4)) == 0  # not due yet
        assert outbox.deliver_due(now=now + dt.timedelta(seconds=5)) == 1
        alert.refresh_from_db()
        assert alert.attempts == 2
        assert alert.next_attempt_at == now + dt.timedelta(seconds=5 + 10)
        assert outbox.deliver_due(now=now + dt.timedelta(seconds=15)) == 1
        alert.refresh_from_db()
        assert (alert.status, alert.attempts, alert.last_error) == (Alert.Status.DELIVERED, 3, "")
        assert hook.requests == 3
        assert [a.idempotency_key for a in hook.wait_for(1)] == [alert.idempotency_key]


def test_it_gives_up_after_max_attempts_and_shows_the_dead_letter(rita, report, adam):
    with WebhookReceiver(status=503) as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        _, reference = report()
        now = timezone.now()
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            assert outbox.deliver_due(now=now) == 1, attempt
            now = Alert.objects.get().next_attempt_at
        assert outbox.deliver_due(now=now + dt.timedelta(days=1)) == 0
        assert hook.requests == outbox.MAX_ATTEMPTS
    alert = Alert.objects.get()
    assert (alert.status, alert.attempts) == (Alert.Status.DEAD, outbox.MAX_ATTEMPTS)
    assert "503" in alert.last_error
    [dead] = outbox.dead_letters()
    assert (dead.pk, dead.reference, dead.channel.team.name) == (alert.pk, reference, Team.DEFAULT)

    # Mended: an administrator sends it again, and it goes out.
    with WebhookReceiver() as hook:
        from tocsin.alerts import secrets as channel_secrets

        alert.channel.sealed_url = channel_secrets.seal_url(hook.url)
        alert.channel.save()
        assert actions.retry_dead_letters([alert], acting_user=adam) == 1
        assert outbox.deliver_due() == 1
        assert [a.idempotency_key for a in hook.wait_for(1)] == [alert.idempotency_key]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DELIVERED
    assert not outbox.dead_letters().exists()


def test_it_gives_up_at_once_on_an_unusable_channel(rita, report):
    """A URL that no longer parses cannot be mended by waiting."""
    channel = add_channel("json://127.0.0.1:9/hook", team=Team.DEFAULT)
    from tocsin.alerts import secrets as channel_secrets

    channel.sealed_url = channel_secrets.seal_url("nonsense://what")
    channel.save()
    report()
    assert outbox.deliver_due() == 1
    alert = Alert.objects.get()
    assert (alert.status, alert.attempts) == (Alert.Status.DEAD, 1)
    assert alert.last_error.startswith("Undeliverable: not a notification URL Apprise understands")


def test_it_keeps_a_delivery_another_worker_finished(rita, report):
    """Worker A's lease ran out, worker B delivered; A's late failure must not
    put the delivered alert back in the queue."""
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        report()
        [stale] = outbox.claim(now=timezone.now())
        later = timezone.now() + outbox.lease()
        assert outbox.deliver_due(now=later) == 1  # worker B
        outbox.record([outbox.Outcome(stale, "ChannelError: timed out")])  # worker A, late
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.DELIVERED
    assert alert.last_error == ""


def test_it_takes_back_the_alerts_of_a_worker_that_died(rita, report):
    """Claimed and never recorded: due again when the lease runs out."""
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        report()
        now = timezone.now()
        assert len(outbox.claim(now=now)) == 1  # and then the worker died
        assert outbox.deliver_due(now=now + outbox.lease() - dt.timedelta(seconds=1)) == 0
        assert outbox.deliver_due(now=now + outbox.lease()) == 1
        assert len(hook.wait_for(1)) == 1
    assert Alert.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True)
def test_it_leaves_the_connection_as_synced_as_it_found_it(rita, report):
    """On SQLite the worker's bookkeeping commits unsynced (a lost claim or
    delivery mark only means a repeat); everything else stays synchronous=FULL."""
    from django.db import connection

    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        report()
        assert outbox.deliver_due() == 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    assert Alert.objects.get().status == Alert.Status.DELIVERED


def test_a_failure_reason_never_shows_the_channel_credentials():
    url = "json://alerts:hunter2pass@hooks.example.org/v1/T0KEN-abc123?key=s3cr3t-value"
    reason = ("ConnectionError: HTTPSConnectionPool(host='hooks.example.org'): Max retries "
              f"exceeded with url: /v1/T0KEN-abc123?key=s3cr3t-value ({url})")
    redacted = transport.redact(reason, url)
    for secret in ("hunter2pass", "T0KEN-abc123", "s3cr3t-value"):
        assert secret not in redacted
    assert redacted.startswith("ConnectionError: HTTPSConnectionPool(host='hooks.example.org')")


def test_a_failed_delivery_stores_and_logs_no_credential(rita, report, caplog):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    add_channel(f"json://127.0.0.1:{port}/hook/T0KEN-abc123?key=s3cr3t-value", team=Team.DEFAULT)
    report()
    assert outbox.deliver_due() == 1
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.PENDING and alert.last_error
    for secret in ("T0KEN-abc123", "s3cr3t-value"):
        assert secret not in alert.last_error
        assert secret not in caplog.text
