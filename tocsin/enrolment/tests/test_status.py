"""/enrol/status/: the applicant comes back with the receipt."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tocsin.enrolment.models import Application

pytestmark = pytest.mark.django_db


def status(receipt: str, client: Client | None = None):
    return (client or Client()).post("/enrol/status/", {"receipt": receipt})


def test_the_form_asks_for_a_receipt():
    assert 'name="receipt"' in Client().get("/enrol/status/").content.decode()


def test_a_pending_application_shows_its_status(apply):
    receipt, reference = apply()
    response = status(receipt)
    assert response.status_code == 200
    body = response.content.decode()
    assert reference in body and "Waiting for review" in body
    assert "Proof vault" not in body


def test_spaces_and_dashes_do_not_matter(apply):
    receipt, _ = apply()
    assert status(" " + receipt.replace("-", " ") + " ").status_code == 200


def test_a_rejection_shows_its_reason(apply, vera):
    from tocsin.enrolment import actions

    receipt, reference = apply()
    actions.reject(
        Application.objects.get(reference=reference), acting_user=vera, reason="No registry entry."
    )
    body = status(receipt).content.decode()
    assert "Rejected" in body and "No registry entry." in body and "apply again" in body


def test_an_approval_links_the_certificate(approved):
    receipt, attestation = approved()
    body = status(receipt).content.decode()
    assert "Approved" in body
    assert f"/attestations/{attestation.token_id}/" in body
    assert "Proof vault" in body


@pytest.mark.parametrize(
    "wrong", ["", "12345", "1234567890123456789012345", "abcde-fghij-klmno-pqrst-uvwxy", "1" * 200]
)
def test_a_wrong_receipt_is_not_found(apply, wrong):
    apply()
    response = status(wrong)
    assert response.status_code == 404
    assert "no application has this receipt" in response.content.decode()


def test_a_report_receipt_does_not_open_an_application(apply, report, rita):
    apply()
    report_receipt, _ = report()
    assert status(report_receipt).status_code == 404


def test_wrong_guesses_are_throttled_even_for_the_right_receipt(apply, settings):
    settings.RECEIPT_GUESSES_PER_MINUTE = 3
    receipt, _ = apply()
    client = Client()
    for _ in range(3):
        assert status("00000-00000-00000-00000-00000", client).status_code == 404
    response = status(receipt, client)
    assert response.status_code == 429
    assert "Too many wrong receipts" in response.content.decode()
    assert not re.search(r"Waiting for review", response.content.decode())


def test_the_receipt_never_goes_into_a_link(apply):
    receipt, _ = apply()
    body = status(receipt).content.decode()
    assert "?receipt=" not in body and "receipt=" + receipt not in body


def test_the_status_page_is_never_cached(apply):
    receipt, _ = apply()
    assert "no-store" in status(receipt)["Cache-Control"]
