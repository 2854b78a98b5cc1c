"""Every check is recorded (never who checked) and alerts the issuer and the
organisation within 5 minutes -- once per 5-minute window, not once per reload.

The request records the check and marks the first of a window ``alerted``;
the worker's pass (``checks.announce_due``, every 5 seconds) writes the
alerts."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
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
    assert names == {"id", "attestation", "token_id", "status", "checked_at", "alerted", "announced_at"}


def test_a_forged_check_is_recorded_but_names_no_attestation(issue, heard):
    issue()
    checks.check("v1.garbage")
    record = Verification.objects.get()
    assert record.status == "forged" and record.attestation is None and record.token_id == ""
    assert not record.alerted
    assert checks.announce_due() == 0
    assert heard == []
    assert not Alert.objects.exists()


def test_the_first_check_alerts_the_issuer_at_the_workers_next_pass(issue, adam, hook, heard):
    add_channel(hook.url, user="adam")
    attestation = issue()
    checks.check(attestation.token)
    # The request wrote the record only; the worker's pass writes the alert.
    assert Verification.objects.get().alerted
    assert not Alert.objects.exists() and heard == []
    assert checks.announce_due() == 1
    assert Verification.objects.get().announced_at is not None
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
    assert checks.announce_due() == 1
    assert Verification.objects.count() == 3
    assert Alert.objects.filter(event="attestation.checked").count() == 1
    assert [call["alert"] for call in heard] == [True]
    checks.check(attestation.token, now=start + dt.timedelta(minutes=5))
    assert checks.announce_due() == 1
    assert Alert.objects.filter(event="attestation.checked").count() == 2
    assert [call["alert"] for call in heard] == [True, True]
    assert list(Verification.objects.order_by("checked_at").values_list("alerted", flat=True)) == [
        True, False, False, True]


def test_the_window_is_per_attestation(issue, adam, hook):
    add_channel(hook.url, user="adam")
    first, second = issue(), issue()
    now = timezone.now()
    checks.check(first.token, now=now)
    checks.check(second.token, now=now)
    assert checks.announce_due() == 2
    assert Alert.objects.filter(event="attestation.checked").count() == 2


def test_a_pass_announces_each_check_once(issue, adam, hook):
    add_channel(hook.url, user="adam")
    checks.check(issue().token)
    assert checks.announce_due() == 1
    assert checks.announce_due() == 0
    assert Alert.objects.filter(event="attestation.checked").count() == 1


def test_a_pass_works_through_more_than_one_batch(issue, adam, hook):
    add_channel(hook.url, user="adam")
    for _ in range(5):
        checks.check(issue().token)
    assert checks.announce_due(batch=2) == 5
    assert Alert.objects.filter(event="attestation.checked").count() == 5


def test_the_signal_carries_the_organisation_and_the_check(issue, organisation, heard):
    attestation = issue()
    checks.check(attestation.token)
    checks.announce_due()
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
    checks.announce_due()
    assert Alert.objects.filter(event="attestation.checked").count() == 1


def test_an_issuer_without_a_channel_or_no_issuer_is_fine(organisation, heard):
    attestation = actions.issue_attestation(organisation, acting_user=None)
    result, _found = checks.check(attestation.token)
    assert result.status == "valid"
    assert checks.announce_due() == 1
    assert heard[0]["alert"] is True


def test_a_receiver_that_raises_loses_its_writes_but_not_the_issuers_alert(issue, adam, hook, caplog):
    add_channel(hook.url, user="adam")
    attestation = issue()

    def broken(sender, **kwargs):
        Verification.objects.create(token_id="written-by-receiver", status="valid",
                                    checked_at=timezone.now())
        raise RuntimeError("receiver bug")

    result, _found = checks.check(attestation.token)
    assert result.status == "valid"
    attestation_checked.connect(broken)
    try:
        assert checks.announce_due() == 1
    finally:
        attestation_checked.disconnect(broken)
    assert list(Verification.objects.values_list("token_id", flat=True)) == [attestation.token_id]
    assert Alert.objects.filter(event="attestation.checked").count() == 1  # the issuer's, kept
    assert Verification.objects.get().announced_at is not None  # and not announced again
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
    with statements() as sent:
        checks.check(attestation.token)
    assert [sql.split()[0].upper() for sql in sent] == ["SELECT", "INSERT"]
    assert heard == []


@pytest.mark.django_db(transaction=True)
def test_the_first_check_of_a_window_is_one_read_and_a_short_transaction(issue, adam):
    attestation = issue()
    with statements() as sent:
        checks.check(attestation.token)
    assert [sql.split()[0].upper() for sql in sent] == ["SELECT", "BEGIN", "UPDATE", "INSERT", "COMMIT"]


def test_a_remembered_answer_still_follows_revocation_and_the_date(issue, adam):
    attestation = issue()
    now = timezone.now()
    assert checks.check(attestation.token, now=now)[0].status == "valid"
    later = dt.datetime.combine(attestation.valid_until + dt.timedelta(days=1), dt.time(1), tzinfo=dt.UTC)
    assert checks.check(attestation.token, now=later)[0].status == "expired"
    actions.revoke_attestation(attestation, acting_user=adam, reason="test")
    assert checks.check(attestation.token, now=now)[0].status == "revoked"


def test_a_remembered_answer_follows_the_revocation_of_its_key(issue, adam):
    attestation = issue()
    assert checks.check(attestation.token)[0].status == "valid"
    actions.revoke_key(attestation.key.key_id, acting_user=adam, reason="test")
    assert checks.check(attestation.token)[0].status == "revoked"


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """The statements SQLite is sent, including those of ``tocsin.server.rows``
    (which Django's query log does not see) and the transaction's own."""
    if connection.vendor != "sqlite":
        pytest.skip("counts what holds SQLite's write lock; PostgreSQL has no lock to share")
    connection.ensure_connection()
    sent: list[str] = []
    connection.connection.set_trace_callback(sent.append)
    try:
        yield sent
    finally:
        connection.connection.set_trace_callback(None)
