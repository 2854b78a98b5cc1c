"""send_due_reminders: 90, 30 and 7 days before coverage ends, each once."""

from __future__ import annotations

import datetime as dt

import pytest

from tocsin.alerts.models import Alert
from tocsin.alerts.tests.delivery import add_channel
from tocsin.attestations.actions import issue_attestation, revoke_attestation
from tocsin.enrolment.models import ContactNotice, Reminder
from tocsin.enrolment.reminders import send_due_reminders

pytestmark = pytest.mark.django_db


def at(attestation, days_before: int, hour: int = 12) -> dt.datetime:
    day = attestation.valid_until - dt.timedelta(days=days_before)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@pytest.fixture
def attestation(approved, vera):
    add_channel("json://127.0.0.1:9/", user="vera")
    _, issued = approved()
    return issued


def reminders_alerted() -> list[str]:
    return [
        alert.payload["threshold"]
        for alert in Alert.objects.filter(event="enrolment.coverage_ending").order_by("pk")
    ]


def test_it_reminds_at_each_threshold_once(attestation):
    schedule = [
        (120, 0),
        (91, 0),
        (90, 1),
        (90, 0),
        (89, 0),
        (31, 0),
        (30, 1),
        (30, 0),
        (8, 0),
        (7, 1),
        (6, 0),
        (0, 0),
    ]
    for days, expected in schedule:
        assert send_due_reminders(at(attestation, days)) == expected, days
    assert reminders_alerted() == ["90", "30", "7"]
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [7, 30, 90]
    notices = ContactNotice.objects.filter(event="enrolment.coverage_ending")
    assert notices.count() == 3
    assert all(attestation.valid_until.isoformat() in notice.body for notice in notices)


@pytest.mark.parametrize("hour", [0, 23])
def test_the_boundary_is_the_day_in_utc(attestation, hour):
    assert send_due_reminders(at(attestation, 91, hour=23)) == 0
    assert send_due_reminders(at(attestation, 90, hour=hour)) == 1


def test_an_attestation_first_seen_late_gets_one_reminder(attestation):
    assert send_due_reminders(at(attestation, 20)) == 1
    assert reminders_alerted() == ["30"]
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [30, 90]
    assert send_due_reminders(at(attestation, 19)) == 0
    assert send_due_reminders(at(attestation, 7)) == 1


def test_a_revoked_attestation_is_not_reminded(attestation, vera):
    revoke_attestation(attestation, acting_user=vera, reason="Issued by mistake.")
    assert send_due_reminders(at(attestation, 90)) == 0


def test_an_expired_attestation_is_not_reminded(attestation):
    assert send_due_reminders(at(attestation, -1)) == 0


def test_a_renewed_organisation_is_not_reminded_of_its_old_certificate(attestation, vera):
    issue_attestation(
        attestation.organisation,
        acting_user=vera,
        valid_until=attestation.valid_until + dt.timedelta(days=365),
    )
    assert send_due_reminders(at(attestation, 90)) == 0


def test_the_alert_names_no_organisation(attestation):
    send_due_reminders(at(attestation, 30))
    [alert] = Alert.objects.filter(event="enrolment.coverage_ending")
    assert "Байкал" not in str(alert.payload) and "Baikal" not in str(alert.payload)
    assert alert.payload["organisation"] == attestation.organisation.ref
