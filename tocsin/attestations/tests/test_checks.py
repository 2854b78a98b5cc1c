"""Every check is recorded (never who checked) and alerts the issuer and the
organisation within 5 minutes -- once per 5-minute window, not once per reload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tocsin.alerts import outbox
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel
from tocsin.attestations import actions, checks
from tocsin.attestations.models import Verification
from tocsin.attestations.signals import attestation_checked


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def heard():
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    attestation_checked.connect(receiver)
    yield calls
    attestation_checked.disconnect(receiver)


def test_a_check_is_recorded_without_who_checked(issue):
    attestation = issue()
    checks.check(attestation.token)
    record = Verification.objects.get()
    assert record.attestation == attestation
    assert (record.token_id, record.status) == (attestation.token_id, "valid")
    names = {field.name for field in Verification._meta.get_fields()}
    assert names == {"id", "attestation", "token_id", "status", "checked_at", "alerted"}


def test_a_forged_check_is_recorded_but_names_no_attestation(issue, heard):
    issue()
    checks.check("v1.garbage")
    record = Verification.objects.get()
    assert record.status == "forged" and record.attestation is None and record.token_id == ""
    assert heard == []
    assert not Alert.objects.exists()


def test_the_first_check_alerts_the_issuer_at_once(issue, adam, hook):
    add_channel(hook.url, user="adam")
    attestation = issue()
    checks.check(attestation.token)
    alert = Alert.objects.get(event="attestation.checked")
    assert alert.next_attempt_at <= timezone.now()  # due now: the worker sends it within a second
    assert outbox.deliver_due() == 1
    [arrival] = hook.wait_for(1)
    assert arrival.body["event"] == "attestation.checked"
    assert arrival.body["reference"] == "ORG-1"
    assert arrival.body["title"].endswith("(Valid)")  # the label, not the code
    # Nothing that names the organisation or its people.
    assert "Байкальская" not in str(arrival.body) and "Baikal" not in str(arrival.body)


def test_checks_within_5_minutes_are_recorded_and_alert_once(issue, adam, hook, heard):
    add_channel(hook.url, user="adam")
    attestation = issue()
    start = timezone.now()
    for seconds in (0, 60, 299):
        checks.check(attestation.token, now=start + dt.timedelta(seconds=seconds))
    assert Verification.objects.count() == 3
    assert Alert.objects.filter(event="attestation.checked").count() == 1
    assert [call["alert"] for call in heard] == [True, False, False]
    checks.check(attestation.token, now=start + dt.timedelta(minutes=5))
    assert Alert.objects.filter(event="attestation.checked").count() == 2
    assert heard[-1]["alert"] is True
    assert list(Verification.objects.order_by("checked_at").values_list("alerted", flat=True)) == [
        True, False, False, True]


def test_the_window_is_per_attestation(issue, adam, hook):
    add_channel(hook.url, user="adam")
    first, second = issue(), issue()
    now = timezone.now()
    checks.check(first.token, now=now)
    checks.check(second.token, now=now)
    assert Alert.objects.filter(event="attestation.checked").count() == 2


def test_the_signal_carries_the_organisation_and_the_check(issue, organisation, heard):
    attestation = issue()
    checks.check(attestation.token)
    [call] = heard
    assert call["organisation"] == organisation
    assert call["attestation"] == attestation
    assert call["verification"] == Verification.objects.get()
    assert call["alert"] is True


@pytest.mark.parametrize("outcome", ["expired", "revoked"])
def test_expired_and_revoked_checks_alert_too(issue, adam, hook, outcome):
    add_channel(hook.url, user="adam")
    attestation = issue()
    if outcome == "revoked":
        actions.revoke_attestation(attestation, acting_user=adam, reason="test")
        now = timezone.now()
    else:
        now = timezone.now() + dt.timedelta(days=365 * 10)
    result, _found = checks.check(attestation.token, now=now)
    assert result.status == outcome
    assert Alert.objects.filter(event="attestation.checked").count() == 1


def test_an_issuer_without_a_channel_or_no_issuer_is_fine(organisation, heard):
    attestation = actions.issue_attestation(organisation, acting_user=None)
    result, _found = checks.check(attestation.token)
    assert result.status == "valid"
    assert heard[0]["alert"] is True


def test_a_receiver_that_raises_loses_its_writes_but_not_the_check(issue, adam, hook, caplog):
    add_channel(hook.url, user="adam")
    attestation = issue()

    def broken(sender, **kwargs):
        Verification.objects.create(token_id="written-by-receiver", status="valid",
                                    checked_at=timezone.now())
        raise RuntimeError("receiver bug")

    attestation_checked.connect(broken)
    try:
        result, _found = checks.check(attestation.token)
    finally:
        attestation_checked.disconnect(broken)
    assert result.status == "valid"
    assert list(Verification.objects.values_list("token_id", flat=True)) == [attestation.token_id]
    assert Alert.objects.filter(event="attestation.checked").count() == 1  # the issuer's, kept
    assert "receiver of attestation_checked failed" in caplog.text


def test_a_token_signed_by_our_key_but_never_issued_is_forged(issue):
    from tocsin.attestations import keys, verification
    attestation = issue()
    content = {**attestation.payload, "token_id": "never-issued-aaaaaaaaaaaaaa"}
    token = verification.sign(keys.signer(attestation.key), attestation.key.key_id, content)
    result, found = checks.check(token)
    assert result.status == "forged" and found is None


def test_a_check_in_an_open_window_is_one_read_and_one_insert(issue, adam, heard):
    attestation = issue()
    checks.check(attestation.token)
    with CaptureQueriesContext(connection) as queries:
        checks.check(attestation.token)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["SELECT", "INSERT"]
    assert heard[-1]["alert"] is False
