"""The organisation's contact hears when its certificate is checked, and before
coverage ends: mailed through the site's sender, or a reviewer is alerted."""

from __future__ import annotations

import datetime as dt

import pytest

from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import SmtpReceiver
from tocsin.alerts.tests.delivery import add_channel
from tocsin.attestations import checks
from tocsin.enrolment import notices
from tocsin.enrolment.models import ContactNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpReceiver() as receiver:
        settings.ENROLMENT_MAIL_URL = (
            f"mailto://127.0.0.1:{receiver.port}?from=tocsin@example.org&mode=insecure"
        )
        settings.ENROLMENT_MAIL_ALLOW_PRIVATE = True
        yield receiver


def test_a_check_writes_a_notice_once_per_window(approved):
    _, attestation = approved()
    now = dt.datetime.now(dt.UTC)
    checks.check(attestation.token, now=now)
    checks.check(attestation.token, now=now + dt.timedelta(minutes=1))
    assert not ContactNotice.objects.exists()  # written by the worker's pass, not the request
    assert checks.announce_due() == 1
    [notice] = ContactNotice.objects.filter(event=notices.CERTIFICATE_CHECKED)
    assert notice.status == ContactNotice.Status.PENDING
    assert "the answer was “Valid”" in notice.body  # the answer's label, never its code
    checks.check(attestation.token, now=now + dt.timedelta(minutes=6))
    checks.announce_due()
    assert ContactNotice.objects.filter(event=notices.CERTIFICATE_CHECKED).count() == 2


def test_a_check_is_mailed_to_the_contact_within_minutes(approved, smtp):
    _, attestation = approved()
    checks.check(attestation.token)
    checks.announce_due()  # the worker's pass, just before this one
    assert notices.deliver_pending() == 1
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "office@baikalwave.example"
    assert mail["Subject"] == "Your Tocsin certificate was just checked"
    assert ContactNotice.objects.get().status == ContactNotice.Status.SENT
    assert notices.deliver_pending() == 0


def test_it_remembers_the_language_the_organisation_applied_in(db):
    from django.test import Client

    from tocsin.enrolment.tests.conftest import post_application

    response = post_application(Client(headers={"accept-language": "ru"}))
    assert response.status_code == 201
    from tocsin.enrolment.models import Application

    assert Application.objects.get().language == "ru"


def test_a_phone_contact_alerts_the_reviewers_instead(approved, vera, smtp):
    add_channel("json://127.0.0.1:9/", user="vera")
    _, attestation = approved(contact_kind="signal", contact="+7 912 345 67 89")
    checks.check(attestation.token)
    checks.announce_due()
    assert notices.deliver_pending() == 0
    assert ContactNotice.objects.get().status == ContactNotice.Status.UNSENDABLE
    [alert] = Alert.objects.filter(event=notices.CONTACT_UNREACHABLE)
    assert alert.payload["organisation"] == attestation.organisation.ref
    assert alert.payload["title"].endswith(": its certificate was just checked")
    assert "+7" not in str(alert.payload)
    assert smtp.messages == []


def test_without_a_site_sender_the_reviewers_are_alerted(approved, vera, settings):
    settings.ENROLMENT_MAIL_URL = ""
    add_channel("json://127.0.0.1:9/", user="vera")
    _, attestation = approved()
    checks.check(attestation.token)
    checks.announce_due()
    notices.deliver_pending()
    assert ContactNotice.objects.get().status == ContactNotice.Status.UNSENDABLE
    assert Alert.objects.filter(event=notices.CONTACT_UNREACHABLE).exists()


def test_a_refused_mail_is_tried_again_later(approved, settings):
    settings.ENROLMENT_MAIL_URL = "mailto://127.0.0.1:9?from=tocsin@example.org&mode=insecure"
    settings.ENROLMENT_MAIL_ALLOW_PRIVATE = True
    _, attestation = approved()
    checks.check(attestation.token)
    checks.announce_due()
    assert notices.deliver_pending() == 0
    notice = ContactNotice.objects.get()
    assert notice.status == ContactNotice.Status.PENDING and notice.attempts == 1
    assert "baikalwave" not in notice.last_error
    assert notice.next_attempt_at > notice.created_at


def test_no_contact_no_notice(approved):
    from tocsin.registry.models import Organisation

    _, attestation = approved()
    Organisation.objects.filter(pk=attestation.organisation_id).update(sealed_contacts=b"")
    attestation.organisation.refresh_from_db()
    checks.check(attestation.token)
    assert checks.announce_due() == 1
    assert not ContactNotice.objects.exists()


def test_a_notice_claimed_by_another_worker_is_skipped(approved, smtp):
    _, attestation = approved()
    checks.check(attestation.token)
    checks.announce_due()
    notice = ContactNotice.objects.get()
    # Another worker claimed it a moment ago: its lease pushed the notice out.
    ContactNotice.objects.filter(pk=notice.pk).update(
        next_attempt_at=notice.next_attempt_at + dt.timedelta(seconds=60)
    )
    assert notices.deliver_pending() == 0
    assert smtp.messages == []


def test_the_worker_calls_it_without_arguments(approved, smtp):
    from tocsin.enrolment.reminders import send_due_reminders

    _, attestation = approved()
    checks.check(attestation.token)
    assert send_due_reminders() == 0  # coverage ends in 2030
    assert checks.announce_due() == 1
    assert notices.deliver_pending() == 1
