"""GET /api/v1/reports/status with ``Authorization: Receipt <code>``."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tocsin.cases.models import Case, Status

from .conftest import guesser_window_is_fresh, reply


def test_it_answers_the_status_and_the_messages(rita, report, api):
    receipt, reference = report()
    case = Case.objects.get(reference=reference)
    reply(case, rita, "We have your report.")
    reply(case, rita, "A lawyer will call at noon.")
    response = api.status(f"Receipt {receipt}")
    assert response.status_code == 200
    body = response.json()
    assert (body["reference"], body["status"]) == (reference, "new")
    assert body["status_text"] == "Received, waiting for a responder"
    assert [m["body"] for m in body["messages"]] == ["We have your report.", "A lawyer will call at noon."]
    assert {m["direction"] for m in body["messages"]} == {"to_reporter"}
    assert all(m["sent_at"].startswith(str(case.received_at.year)) for m in body["messages"])
    assert "no-store" in response["Cache-Control"]


def test_it_answers_the_current_status(rita, report, api):
    receipt, reference = report()
    Case.objects.filter(reference=reference).update(status=Status.RESOLVED)
    assert api.status(f"Receipt {receipt}").json()["status"] == "resolved"


@pytest.mark.parametrize("header", [
    lambda r: f"Receipt {r}",
    lambda r: f"receipt {r.replace('-', ' ')}",
    lambda r: f"RECEIPT {r.replace('-', '')}",
    lambda r: f"Receipt   {r}  ",
], ids=["as shown", "spaces, lower-case scheme", "digits only", "extra blanks"])
def test_it_accepts_the_receipt_with_spaces_or_dashes(header, rita, report, api):
    receipt, reference = report()
    response = api.status(header(receipt))
    assert response.status_code == 200
    assert response.json()["reference"] == reference


@pytest.mark.parametrize("header", [
    None, "", "Receipt", "Receipt    ", "Bearer 12345-12345-12345-12345-12345",
    "Basic dXNlcjpwYXNz", "12345-12345-12345-12345-12345", "Receipt:12345-12345-12345-12345-12345",
], ids=["missing", "empty", "no code", "blank code", "bearer", "basic", "no scheme", "colon"])
def test_it_asks_for_the_receipt_header_when_it_is_malformed(header, rita, report, api):
    report()
    response = api.status(header)
    assert response.status_code == 401
    assert response.json() == {"detail": "Send the header Authorization: Receipt <your receipt>."}


def test_it_answers_not_found_for_a_wrong_receipt(rita, report, api):
    receipt, _reference = report()
    wrong = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    response = api.status(f"Receipt {wrong}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No report has this receipt."}


FULL_WIDTH_DIGITS = "\uff11\uff12\uff13\uff14\uff15"


@pytest.mark.parametrize("code", ["hello", "1234", f"{FULL_WIDTH_DIGITS}-12345-12345-12345-12345",
                                  "12345-" * 6])
def test_it_answers_not_found_for_a_malformed_receipt(code, rita, report, api):
    report()
    assert api.status(f"Receipt {code}").status_code == 404


@override_settings(RECEIPT_GUESSES_PER_MINUTE=3)
def test_it_answers_too_many_requests_after_the_limit(rita, report, api):
    receipt, _reference = report()
    guesser_window_is_fresh()
    for _ in range(3):
        assert api.status("Receipt 00000-00000-00000-00000-00000").status_code == 404
    response = api.status(f"Receipt {receipt}")
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many wrong receipts. Wait a minute and try again."}
