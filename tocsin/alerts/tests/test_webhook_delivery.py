"""A real report's alert reaching a real JSON webhook receiver on loopback."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from tocsin.accounts.models import Team
from tocsin.alerts import outbox
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import SECRETS_OF_THE_REPORT, add_channel, canary_words
from tocsin.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


def test_it_delivers_the_new_report_alert(rita, report, hook):
    add_channel(hook.url, team=Team.DEFAULT)
    _, reference = report()
    assert outbox.deliver_due() == 1
    [arrival] = hook.wait_for(1)
    alert = Alert.objects.get(reference=reference)
    case = Case.objects.get(reference=reference)
    assert arrival.body == {
        "version": "1.0",
        "title": f"New report {reference}: raid, seizure in RU",
        "message": (f"Case: {reference}\nCountry: RU\nActs: raid, seizure\nSeverity: {case.severity}\n"
                    f"Link: {settings.BASE_URL}/staff/cases/{reference}/\nEvent: case.received\n"
                    f"Idempotency key: {alert.idempotency_key}"),
        "attachments": [],
        "type": "info",
        "event": "case.received",
        "reference": reference,
        "country": "RU",
        "act_types": "raid, seizure",
        "severity": case.severity,
        "link": f"{settings.BASE_URL}/staff/cases/{reference}/",
        "idempotency_key": alert.idempotency_key,
    }
    assert arrival.idempotency_key == alert.idempotency_key  # the Idempotency-Key header
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DELIVERED
    assert alert.attempts == 1
    assert alert.delivered_at is not None
    assert alert.last_error == ""


def test_it_delivers_to_every_channel_once(rita, report, hook):
    add_channel(hook.url, team=Team.DEFAULT)
    add_channel(hook.url.replace("/hook", "/rita"), user="rita")
    for _ in range(3):
        report()
    assert outbox.deliver_due() == 6
    assert outbox.deliver_due() == 0
    arrived = hook.wait_for(6)
    assert len(arrived) == 6
    keys = set(Alert.objects.values_list("idempotency_key", flat=True))
    assert {a.idempotency_key for a in arrived} == keys
    assert Alert.objects.filter(status=Alert.Status.DELIVERED).count() == 6


def test_it_never_carries_what_the_report_says(rita, report, hook):
    """The canary: every sensitive field and the receipt, looked for in
    everything the receiver got -- headers and raw body -- and in the rows."""
    add_channel(hook.url, team=Team.DEFAULT)
    add_channel(hook.url, user="rita")
    receipt, reference = report(**SECRETS_OF_THE_REPORT)
    assert outbox.deliver_due() == 2
    arrived = hook.wait_for(2)
    assert len(arrived) == 2
    seen = json.dumps([[a.headers, a.body] for a in arrived], ensure_ascii=False)
    seen += json.dumps(list(Alert.objects.values("payload", "reference", "event", "last_error")),
                       ensure_ascii=False, default=str)
    assert reference in seen
    for word in canary_words(receipt):
        assert word not in seen


def test_it_uses_the_pool_of_delivery_threads(rita, report, hook):
    from concurrent.futures import ThreadPoolExecutor

    add_channel(hook.url, team=Team.DEFAULT)
    for _ in range(5):
        report()
    with ThreadPoolExecutor(4) as pool:
        assert outbox.deliver_due(pool) == 5
    assert len(hook.wait_for(5)) == 5
    assert not Alert.objects.exclude(status=Alert.Status.DELIVERED).exists()


def test_each_alert_of_a_channel_carries_its_own_key(rita, report, hook):
    """The channel is parsed once and reused: what one message adds (its
    key, its fields) must not stay for the next, and what the channel's URL
    says itself (a header of its own) is in every message."""
    add_channel(hook.url + "?+X-Team=default", team=Team.DEFAULT)
    references = [report()[1] for _ in range(3)]
    assert outbox.deliver_due() == 3
    arrivals = hook.wait_for(3)
    keys = {alert.reference: alert.idempotency_key for alert in Alert.objects.all()}
    assert sorted(arrival.body["reference"] for arrival in arrivals) == sorted(references)
    for arrival in arrivals:
        assert arrival.idempotency_key == arrival.body["idempotency_key"] == keys[arrival.body["reference"]]
        assert arrival.headers["X-Team"] == "default"


def test_a_changed_channel_is_used_at_once(rita, report, hook):
    channel = add_channel(hook.url, team=Team.DEFAULT)
    report()
    assert outbox.deliver_due() == 1
    hook.wait_for(1)
    with WebhookReceiver() as moved:
        channel.sealed_url = channel_secrets.seal_url(moved.url)
        channel.save()
        _, reference = report()
        assert outbox.deliver_due() == 1
        [arrival] = moved.wait_for(1)
    assert arrival.body["reference"] == reference
    assert len(hook.received) == 1
