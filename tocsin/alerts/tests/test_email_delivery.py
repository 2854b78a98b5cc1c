"""A real report's alert reaching a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings

from tocsin.accounts.models import Team
from tocsin.alerts import outbox
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import SmtpReceiver
from tocsin.alerts.tests.delivery import SECRETS_OF_THE_REPORT, add_channel, canary_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


def test_it_mails_the_new_report_alert(rita, report, smtp):
    add_channel(smtp.url("duty@example.org"), team=Team.DEFAULT)
    _, reference = report()
    assert outbox.deliver_due() == 1
    [mail] = smtp.wait_for(1)
    alert = Alert.objects.get(reference=reference)
    assert mail["To"] == "duty@example.org"
    assert mail["Subject"] == f"New report {reference}: raid, seizure in RU"
    assert mail["X-Tocsin-Idempotency-Key"] == alert.idempotency_key
    body = mail.get_body(preferencelist=("plain", "html")).get_content()
    assert f"Case: {reference}" in body
    assert f"Link: {settings.BASE_URL}/staff/cases/{reference}/" in body
    assert f"Idempotency key: {alert.idempotency_key}" in body
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DELIVERED


def test_it_mails_each_responder_on_call(rita, report, smtp):
    add_channel(smtp.url("rita@example.org"), user="rita")
    add_channel(smtp.url("duty@example.org"), team=Team.DEFAULT)
    report()
    assert outbox.deliver_due() == 2
    mails = smtp.wait_for(2)
    assert sorted(mail["To"] for mail in mails) == ["duty@example.org", "rita@example.org"]


def test_it_never_mails_what_the_report_says(rita, report, smtp):
    add_channel(smtp.url(), team=Team.DEFAULT)
    receipt, reference = report(**SECRETS_OF_THE_REPORT)
    assert outbox.deliver_due() == 1
    [mail] = smtp.wait_for(1)
    raw = mail.as_string()
    assert reference in raw
    for word in canary_words(receipt):
        assert word not in raw


def test_it_keeps_an_undelivered_mail_for_a_retry(rita, report):
    """Nobody answers on the mail server's port: the alert stays pending, with the reason."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    add_channel(f"mailto://127.0.0.1:{port}?from=tocsin@example.org&to=duty@example.org&mode=insecure",
                team=Team.DEFAULT)
    _, reference = report()
    assert outbox.deliver_due() == 1
    alert = Alert.objects.get(reference=reference)
    assert alert.status == Alert.Status.PENDING
    assert alert.attempts == 1
    assert alert.last_error == 'ChannelError: Connection error while submitting email to "127.0.0.1"'
