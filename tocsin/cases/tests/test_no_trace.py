"""Nothing decrypted on a page reaches the log, even at DEBUG.

Django logs a template variable it cannot resolve at DEBUG, together with
the whole context -- which on these pages holds the decrypted report, the
notes and the reporter's receipt. Every page here must therefore give its
template every name it reads."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tocsin.cases.tests.conftest import MARKER, act, fresh

pytestmark = pytest.mark.django_db
NOTE = "secret-note-7f3a"
ANSWER = "secret-answer-91bc"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(repr(vars(record)) for record in caplog.records)


def test_no_page_about_a_case_logs_what_it_shows(rita, logged_in, file_report, reporter, caplog):
    filed = file_report()
    client = fresh(logged_in(rita))
    follow_up = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    act(client, filed.reference, "interventions",
        {"kind": "other", "happened_on": "2026-03-20", "note": NOTE})
    act(client, filed.reference, "referrals", {"partner": "P", "note": NOTE, "follow_up_on": follow_up})
    act(client, filed.reference, "messages", {"body": NOTE})
    caplog.set_level(logging.DEBUG)
    for name in ["django", "django.template", "django.request", "tocsin"]:
        caplog.set_level(logging.DEBUG, logger=name)

    visitor = reporter(filed.receipt)
    page = visitor.post("/followup/", {"receipt": filed.receipt, "body": ANSWER})
    assert page.status_code == 200 and NOTE in page.content.decode()
    visitor.post("/followup/", {"receipt": filed.receipt, "body": "\x07"})  # refused, re-shown
    visitor.post("/followup/", {"receipt": "1"})
    responses = [
        client.get(f"/staff/cases/{filed.reference}/"),
        act(client, filed.reference, "state", {"to_state": "closed"}),  # refused: re-shown with errors
        act(client, filed.reference, "interventions", {"kind": "nope", "note": NOTE}),
        client.get(f"/staff/cases/{filed.reference}/access/"),
        client.post(f"/staff/cases/{filed.reference}/access/grant/", {"user": "ghost"}),
        client.get(f"/staff/cases/{filed.reference}/export/"),
        client.get("/staff/state-times/"),
    ]
    assert MARKER in responses[0].content.decode() and ANSWER in responses[0].content.decode()
    text = logged(caplog)
    for secret in [MARKER, NOTE, ANSWER, "Baikal", filed.receipt, filed.receipt.replace("-", "")]:
        assert secret not in text, secret
