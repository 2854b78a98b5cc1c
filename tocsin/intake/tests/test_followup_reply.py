"""/followup/: after the receipt, the reporter reads the messages and answers on the
same page; the receipt rides along in a hidden field of the form, nowhere else."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, override_settings

from tocsin.audit.models import Entry
from tocsin.cases.models import Case, Message

from .conftest import Reporter, guesser_window_is_fresh, reply

ANSWER = "We are safe. The lawyer can call after 18:00."


def answer(reporter: Reporter, receipt: str, body: str):
    """Open the report with the receipt, then send ``body`` with the page's own form."""
    page = reporter.follow_up(receipt).content.decode()
    form = re.search(r'<form method="post" action="/followup/" autocomplete="off">(.*?)</form>', page, re.S)
    assert form and 'name="body"' in form[1], page
    fields = dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">', form[1]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form[1])
    assert token
    return reporter.client.post("/followup/", {**fields, "csrfmiddlewaretoken": token[1], "body": body})


def test_the_reporter_answers_and_sees_it_at_once(rita, report, reporter):
    receipt, reference = report()
    reply(Case.objects.get(reference=reference), rita, "Are you safe?")
    response = answer(reporter, receipt, ANSWER)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your message was sent." in page
    assert page.index("Are you safe?") < page.index(ANSWER)
    assert "From you" in page
    message = Message.objects.get(direction=Message.Direction.FROM_REPORTER)
    assert (message.case.reference, message.author) == (reference, None)
    assert b"lawyer" not in bytes(message.ciphertext)
    assert "no-store" in response["Cache-Control"]


def test_responders_read_the_answer(rita, report, reporter, logged_in):
    receipt, reference = report()
    answer(reporter, receipt, ANSWER)
    assert ANSWER in logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()
    assert Entry.objects.get(action="message.received").actor is None


def test_the_receipt_is_never_in_an_address_or_a_cookie(rita, report, reporter, caplog):
    caplog.set_level(logging.DEBUG)
    receipt, _reference = report()
    response = answer(reporter, receipt, ANSWER)
    page = response.content.decode()
    assert 'action="/followup/"' in page and "?" not in re.findall(r'action="([^"]*)"', page)[-1]
    assert 'method="post"' in page
    for cookie in reporter.client.cookies.values():
        assert receipt.replace("-", "") not in cookie.value.replace("-", "")
    for spelling in [receipt, receipt.replace("-", ""), receipt.replace("-", " ")]:
        assert spelling not in caplog.text


@pytest.mark.parametrize(("body", "problem"), [
    ("", "This field is required."),
    ("  \n\t ", "This field is required."),
    ("x" * 10_001, "at most 10000 characters"),
    ("Help\x07", "control characters"),
    ("Help\x00", "Null characters are not allowed."),
])
def test_it_refuses_a_bad_answer_naming_the_field(rita, report, reporter, body, problem):
    receipt, reference = report()
    response = answer(reporter, receipt, body)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_body-errors"' in page
    assert "Your message:" in page and problem in page
    assert reference in page  # still on the report, ready to try again
    assert f'<input type="hidden" name="receipt" value="{receipt}">' in page
    assert not Message.objects.exists()
    assert not Entry.objects.filter(action="message.received").exists()


def test_the_answer_escapes_markup(rita, report, reporter, logged_in):
    receipt, reference = report()
    answer(reporter, receipt, "<script>alert(1)</script>")
    for page in [reporter.follow_up(receipt).content.decode(),
                 logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()]:
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_answer_with_a_wrong_receipt_is_refused(rita, report):
    receipt, _reference = report()
    wrong = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    response = Client().post("/followup/", {"receipt": wrong, "body": ANSWER})
    assert response.status_code == 404
    assert "no report has this receipt" in response.content.decode()
    assert not Message.objects.exists()


@override_settings(RECEIPT_GUESSES_PER_MINUTE=2)
def test_guessing_receipts_with_answers_is_throttled_too(rita, report):
    receipt, _reference = report()
    guesser = Client()
    guesser_window_is_fresh()
    for guess in ["11111-11111-11111-11111-11111", "22222-22222-22222-22222-22222"]:
        assert guesser.post("/followup/", {"receipt": guess, "body": ANSWER}).status_code == 404
    assert guesser.post("/followup/", {"receipt": receipt, "body": ANSWER}).status_code == 429
    assert not Message.objects.exists()


def test_it_needs_the_csrf_token(rita, report):
    receipt, _reference = report()
    client = Client(enforce_csrf_checks=True)
    assert client.post("/followup/", {"receipt": receipt, "body": ANSWER}).status_code == 403
    assert not Message.objects.exists()
