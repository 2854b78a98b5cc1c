"""/staff/alerts/dead/: the alerts the worker gave up on, for administrators,
and sending them again."""

import secrets

import pytest
from django.core.management import call_command
from django.utils import timezone

from tocsin.accounts.models import Team
from tocsin.alerts import outbox
from tocsin.alerts.models import Alert, Channel
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.audit.models import Entry

from .helpers import add_channel

pytestmark = pytest.mark.django_db
URL, RETRY = "/staff/alerts/dead/", "/staff/alerts/dead/retry/"
REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"


def an_alert(channel: Channel, status: str = Alert.Status.DEAD, **fields) -> Alert:
    now = timezone.now()
    defaults = {"event": "case.received", "reference": "TX-ABCD-EFGH", "payload": {"title": "New report"},
                "idempotency_key": secrets.token_hex(12), "status": status, "attempts": 12,
                "last_error": REFUSED, "next_attempt_at": now, "created_at": now}
    return Alert.objects.create(channel=channel, **{**defaults, **fields})


@pytest.fixture
def channel(rita) -> Channel:
    return add_channel(team=Team.objects.get(name="default"))


@pytest.fixture
def dead(channel) -> list[Alert]:
    return [an_alert(channel, reference="TX-DEAD-0001"),
            an_alert(channel, reference="TX-DEAD-0002", attempts=1, last_error="Undeliverable: 404")]


def test_an_administrator_sees_each_dead_letter_with_its_last_error_and_attempts(adam, logged_in, dead,
                                                                                 channel):
    an_alert(channel, Alert.Status.PENDING, reference="TX-PEND-0001")
    an_alert(channel, Alert.Status.DELIVERED, reference="TX-SENT-0001")
    page = logged_in(adam).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "TX-DEAD-0001" in text and "TX-DEAD-0002" in text
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in text and "Undeliverable: 404" in text
    assert "<td>12</td>" in text and "<td>1</td>" in text
    assert "channel of default" in text
    assert "TX-PEND-0001" not in text and "TX-SENT-0001" not in text
    assert "2 alerts given up on." in text


def test_retrying_one_gives_it_fresh_attempts_and_is_audited(adam, logged_in, dead):
    client = logged_in(adam)
    page = client.post(RETRY, {"alerts": [dead[0].pk]})
    assert page.status_code == 302 and page["Location"] == URL
    first, second = (Alert.objects.get(pk=alert.pk) for alert in dead)
    assert (first.status, first.attempts, first.last_error) == (Alert.Status.PENDING, 0, "")
    assert second.status == Alert.Status.DEAD
    entry = Entry.objects.get(action="alerts.retried")
    assert (entry.actor_id, entry.detail["alerts"], entry.detail["count"]) == (adam.pk, [dead[0].pk], 1)
    assert "1 alert will be tried again." in client.get(URL).content.decode()


def test_try_all_shown_again(adam, logged_in, dead):
    logged_in(adam).post(RETRY, {"alerts": [alert.pk for alert in dead]})
    assert not Alert.objects.filter(status=Alert.Status.DEAD).exists()


def test_a_retried_alert_reaches_its_mended_receiver(adam, logged_in, rita):
    with WebhookReceiver() as hook:
        call_command("channel", "add", "--user", "rita", hook.url, "--allow-private")
        alert = an_alert(Channel.objects.get(user=rita))
        assert outbox.deliver_due() == 0
        logged_in(adam).post(RETRY, {"alerts": [alert.pk]})
        assert outbox.deliver_due() == 1
        arrived = hook.wait_for(1)
    assert [item.body["idempotency_key"] for item in arrived] == [alert.idempotency_key]
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.DELIVERED


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, dead, method):
    for url in (URL, RETRY):
        page = getattr(client, method)(url, {"alerts": [dead[0].pk]} if method == "post" else None)
        assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
        assert b"TX-DEAD" not in page.content
    assert Alert.objects.filter(status=Alert.Status.DEAD).count() == 2


def test_a_reporter_holding_a_receipt_is_sent_to_log_in(holder_of_receipt, dead):
    reporter, _ = holder_of_receipt()
    page = reporter.get(URL)
    assert page.status_code == 302 and b"TX-DEAD" not in page.content


@pytest.mark.parametrize("who", ["rita", "lena", "bora"])
def test_anyone_but_an_administrator_is_told_it_does_not_exist(request, logged_in, dead, who):
    client = logged_in(request.getfixturevalue(who))
    page = client.get(URL)
    assert page.status_code == 404 and b"TX-DEAD" not in page.content
    assert client.post(RETRY, {"alerts": [dead[0].pk]}).status_code == 404
    assert Alert.objects.filter(status=Alert.Status.DEAD).count() == 2
    assert not Entry.objects.filter(action="alerts.retried").exists()


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Alerts to try again: Choose at least one alert to try again."),
    ({"alerts": ["abc"]}, "Alerts to try again: “abc” is not an alert number."),
    ({"alerts": ["999999"]}, "Alert 999999 is not among the alerts given up on"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(adam, logged_in, dead, data, message):
    page = logged_in(adam).post(RETRY, data)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert Alert.objects.filter(status=Alert.Status.DEAD).count() == 2
    assert not Entry.objects.filter(action="alerts.retried").exists()


def test_an_alert_that_is_not_dead_cannot_be_retried(adam, logged_in, channel, dead):
    delivered = an_alert(channel, Alert.Status.DELIVERED)
    page = logged_in(adam).post(RETRY, {"alerts": [dead[0].pk, delivered.pk]})
    assert page.status_code == 400
    assert f"Alert {delivered.pk} is not among the alerts given up on" in page.content.decode()
    assert Alert.objects.filter(status=Alert.Status.DEAD).count() == 2
    assert Alert.objects.get(pk=delivered.pk).status == Alert.Status.DELIVERED


def test_retrying_takes_a_post_with_a_csrf_token(adam, logged_in, dead):
    client = logged_in(adam)
    assert client.get(RETRY).status_code == 405
    client.handler.enforce_csrf_checks = True
    assert client.post(RETRY, {"alerts": [dead[0].pk]}).status_code == 403
    assert Alert.objects.filter(status=Alert.Status.DEAD).count() == 2
