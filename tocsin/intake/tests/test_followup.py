"""/followup/: a reporter comes back with the receipt and reads the status
and the responders' messages. Guessing receipts is throttled."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from tocsin.cases.models import Case, Status

from .conftest import Reporter, database_dump, guesser_window_is_fresh, reply

WRONG = "Receipt: no report has this receipt. Check the digits and try again."


def test_it_shows_the_status_and_the_messages(rita, report, reporter):
    receipt, reference = report()
    reply(Case.objects.get(reference=reference), rita, "We have your report. Are you safe?")
    response = reporter.follow_up(receipt)
    assert response.status_code == 200
    page = response.content.decode()
    assert reference in page
    assert '<strong id="status">Received, waiting for a responder</strong>' in page
    assert "We have your report. Are you safe?" in page
    assert "From the responders" in page
    # The receipt is shown once, at sending; here it is only carried in the
    # answer form's hidden field, so the reporter need not type it again.
    assert page.count(receipt) == 1
    assert f'<input type="hidden" name="receipt" value="{receipt}">' in page
    assert receipt.replace("-", "") not in page
    assert "no-store" in response["Cache-Control"]


def test_it_shows_a_reply_sent_through_the_staff_page(rita, report, reporter, logged_in):
    receipt, reference = report()
    response = logged_in(rita).post(f"/staff/cases/{reference}/messages/", {"body": "A lawyer will call."})
    assert response.status_code == 302
    assert "A lawyer will call." in reporter.follow_up(receipt).content.decode()


def test_it_shows_the_current_status(rita, report, reporter):
    receipt, reference = report()
    Case.objects.filter(reference=reference).update(status=Status.IN_PROGRESS)
    page = reporter.follow_up(receipt).content.decode()
    assert '<strong id="status">Responders are acting</strong>' in page


def test_it_says_when_there_are_no_messages_yet(rita, report, reporter):
    receipt, _reference = report()
    assert "No messages yet." in reporter.follow_up(receipt).content.decode()


def test_it_shows_only_this_reports_messages(rita, report, reporter):
    receipt, reference = report()
    _other_receipt, other = report()
    reply(Case.objects.get(reference=other), rita, "For the other report.")
    page = reporter.follow_up(receipt).content.decode()
    assert reference in page and other not in page
    assert "For the other report." not in page


@pytest.mark.parametrize("typed", [
    lambda r: r,
    lambda r: r.replace("-", " "),
    lambda r: r.replace("-", ""),
    lambda r: f"  {r.replace('-', ' - ')}  ",
    lambda r: r.replace("-", "\u2013"),
    lambda r: " ".join(r.replace("-", "")),
], ids=["as shown", "spaces", "digits only", "spaced dashes", "en dashes", "every digit apart"])
def test_it_accepts_the_receipt_with_spaces_or_dashes(typed, rita, report, reporter):
    receipt, reference = report()
    response = reporter.follow_up(typed(receipt))
    assert response.status_code == 200
    assert reference in response.content.decode()


FULL_WIDTH_ONE = "\uff11"


@pytest.mark.parametrize("typed", ["", "hello", "1" * 24, "1" * 26, FULL_WIDTH_ONE * 25,
                                   "12345-67890-12345-67890-1234x"],
                         ids=["empty", "letters", "24 digits", "26 digits", "full-width digits", "a letter"])
def test_it_says_so_when_the_receipt_is_malformed(typed, rita, report, reporter):
    report()
    response = reporter.follow_up(typed)
    assert response.status_code == 404
    assert WRONG in response.content.decode()


def test_it_says_so_when_no_report_has_the_receipt(rita, report, reporter):
    receipt, _reference = report()
    wrong = ("0" if receipt[0] != "0" else "1") + receipt[1:]
    response = reporter.follow_up(wrong)
    assert response.status_code == 404
    page = response.content.decode()
    assert WRONG in page
    assert 'name="receipt"' in page  # the form is there to try again


def test_it_needs_the_csrf_token(rita, report):
    receipt, _reference = report()
    response = Client(enforce_csrf_checks=True).post("/followup/", {"receipt": receipt})
    assert response.status_code == 403


@override_settings(RECEIPT_GUESSES_PER_MINUTE=3)
def test_it_refuses_guesses_after_the_limit(rita, report, reporter):
    receipt, _reference = report()
    guesser_window_is_fresh()
    for guess in ["11111-11111-11111-11111-11111", "22222", "33333-33333-33333-33333-33333"]:
        assert reporter.follow_up(guess).status_code == 404
    response = reporter.follow_up("44444-44444-44444-44444-44444")
    assert response.status_code == 429
    assert "Too many wrong receipts were entered from here" in response.content.decode()
    # While throttled, even the right receipt waits: otherwise the limit would be an oracle.
    assert reporter.follow_up(receipt).status_code == 429


def test_it_allows_as_many_wrong_guesses_as_the_setting_says(rita, report, reporter, settings):
    report()
    guesser_window_is_fresh()
    for _ in range(settings.RECEIPT_GUESSES_PER_MINUTE):
        assert reporter.follow_up("12345").status_code == 404
    assert reporter.follow_up("12345").status_code == 429


@override_settings(RECEIPT_GUESSES_PER_MINUTE=2)
def test_it_does_not_count_right_receipts(rita, report, reporter):
    receipt, _reference = report()
    guesser_window_is_fresh()
    for _ in range(5):
        assert reporter.follow_up(receipt).status_code == 200
    assert reporter.follow_up("12345").status_code == 404


@override_settings(RECEIPT_GUESSES_PER_MINUTE=2)
def test_it_throttles_one_address_without_throttling_another(rita, report):
    receipt, _reference = report()
    guesser = Reporter(client=Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7"))
    guesser_window_is_fresh("198.51.100.7")
    for _ in range(2):
        assert guesser.follow_up("12345").status_code == 404
    assert guesser.follow_up(receipt).status_code == 429
    assert Reporter().follow_up(receipt).status_code == 200


@override_settings(RECEIPT_GUESSES_PER_MINUTE=2)
def test_it_counts_guesses_on_the_page_and_the_api_together(rita, report, reporter, api):
    receipt, _reference = report()
    guesser_window_is_fresh()
    assert reporter.follow_up("12345").status_code == 404
    assert api.status("Receipt 12345").status_code == 404
    assert reporter.follow_up(receipt).status_code == 429
    assert api.status(f"Receipt {receipt}").status_code == 429


@override_settings(RECEIPT_GUESSES_PER_MINUTE=2)
def test_it_stores_and_logs_nothing_about_the_guesser(rita, report, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ["django", "django.request", "django.security", "tocsin"]:
        caplog.set_level(logging.DEBUG, logger=name)
    report()
    address, agent = "203.0.113.77", "GuesserBrowser/9.9 (rare-agent-5d1c)"
    before = database_dump()
    guesser = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    for _ in range(4):
        guesser.post("/followup/", {"receipt": "12345-12345-12345-12345-12345"})
        guesser.get("/api/v1/reports/status", headers={"Authorization": "Receipt 12345"})
    assert guesser.post("/followup/", {"receipt": "1"}).status_code == 429
    dump = database_dump()
    assert dump == before
    for trace in [address, agent, "rare-agent-5d1c"]:
        assert trace.encode() not in dump
        assert trace not in caplog.text
