"""POST /api/v1/reports/messages with ``Authorization: Receipt <code>``: the reporter answers."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.test import Client, override_settings

from tocsin.audit.models import Entry
from tocsin.cases import signals
from tocsin.cases.models import Case, Message
from tocsin.crypto import boxes

from .conftest import case_key_for, guesser_window_is_fresh, reply

ANSWER = "Thank you. They came back today and took the printer too."


def post(receipt: str | None, body: object = None, *, raw: bytes | None = None,
         content_type: str = "application/json"):
    headers = {"Authorization": f"Receipt {receipt}"} if receipt is not None else {}
    data = raw if raw is not None else json.dumps({"body": ANSWER} if body is None else body)
    # CONTENT_TYPE again, since the test client leaves it out of an empty body.
    return Client().post("/api/v1/reports/messages", data, content_type=content_type, headers=headers,
                         CONTENT_TYPE=content_type)


def test_it_stores_the_answer_and_returns_it(rita, report):
    receipt, reference = report()
    response = post(receipt)
    assert response.status_code == 201
    body = response.json()
    assert (body["direction"], body["body"]) == ("from_reporter", ANSWER)
    assert "no-store" in response["Cache-Control"]
    message = Message.objects.get(case__reference=reference)
    assert (message.direction, message.author) == (Message.Direction.FROM_REPORTER, None)
    assert body["sent_at"] == message.sent_at.isoformat()


def test_it_stores_the_answer_encrypted_for_the_responders(rita, report):
    receipt, reference = report()
    post(receipt)
    message = Message.objects.get()
    assert b"printer" not in bytes(message.ciphertext)
    key = case_key_for(rita, Case.objects.get(reference=reference))
    assert boxes.decrypt_json(key, bytes(message.ciphertext), bound_to=reference) == ANSWER


def test_the_status_api_shows_both_sides_in_order(rita, report, api):
    receipt, reference = report()
    reply(Case.objects.get(reference=reference), rita, "Are you safe?")
    post(receipt)
    messages = api.status(f"Receipt {receipt}").json()["messages"]
    assert [(m["direction"], m["body"]) for m in messages] == [
        ("to_reporter", "Are you safe?"), ("from_reporter", ANSWER)]


def test_responders_read_it_on_the_case_page(rita, report, logged_in):
    receipt, reference = report()
    post(receipt)
    page = logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()
    assert ANSWER in page
    assert '<div class="message from_reporter">' in page


def test_it_is_logged_without_anything_about_the_reporter(rita, report):
    receipt, reference = report()
    post(receipt)
    entry = Entry.objects.get(action="message.received")
    assert (entry.actor, entry.target, entry.detail) == (None, reference, {})


def test_it_tells_the_responders_inside_the_transaction(rita, report):
    receipt, reference = report()
    seen = []
    outside = len(connection.atomic_blocks)

    def receiver(sender, case, **kwargs):
        seen.append((case.reference, len(connection.atomic_blocks) > outside,
                     Message.objects.filter(case=case).exists()))

    signals.reporter_replied.connect(receiver)
    try:
        post(receipt)
    finally:
        signals.reporter_replied.disconnect(receiver)
    assert seen == [(reference, True, True)]


def test_it_accepts_line_breaks_unicode_and_the_longest_body(rita, report):
    receipt, _reference = report()
    assert post(receipt, {"body": "Строка один\r\nLine two\twith a tab"}).status_code == 201
    assert post(receipt, {"body": "x" * 10_000}).status_code == 201
    assert Message.objects.count() == 2


@pytest.mark.parametrize(("document", "problem"), [
    ({"body": ""}, "This field is required."),
    ({"body": "   \n "}, "This field is required."),
    ({}, "This field is required."),
    ({"body": "x" * 10_001}, "Ensure this value has at most 10000 characters (it has 10001)."),
    ({"body": "Call\x07 me"}, "Remove the invisible control characters from this text."),
    ({"body": "Call\x00 me"}, "Null characters are not allowed."),
    ({"body": "\ud800"}, "This text is not valid UTF-8."),
    ({"body": 42}, "Must be text."),
    ({"body": ["a"]}, "Must be text."),
    ({"body": None}, "Must be text."),
    (["body"], "Send a JSON object"),
    ("body", "Send a JSON object"),
])
def test_it_refuses_a_bad_body_naming_it(rita, report, document, problem):
    receipt, _reference = report()
    response = post(receipt, document)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["body"]
    assert any(problem in message for message in errors["body"]), errors
    assert not Message.objects.exists()
    assert not Entry.objects.filter(action="message.received").exists()


@pytest.mark.parametrize(("raw", "problem"), [
    (b'{"body": "unfinished', "not valid JSON"),
    (b"", "not valid JSON"),
    (b'{"body": "\xff\xfe"}', "not valid UTF-8"),
    (b"[" * 100_000, "not valid JSON"),
])
def test_it_refuses_a_body_that_is_not_json(rita, report, raw, problem):
    receipt, _reference = report()
    response = post(receipt, raw=raw)
    assert response.status_code == 400
    assert problem in response.json()["errors"]["body"][0]
    assert not Message.objects.exists()


def test_it_refuses_other_content_types(rita, report):
    receipt, _reference = report()
    response = post(receipt, raw=b"body=hello", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"]["body"][0]
    assert not Message.objects.exists()


def test_it_names_an_unknown_field(rita, report):
    receipt, _reference = report()
    response = post(receipt, {"body": "hi", "author": "me"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"author": ["Unknown field."]}
    assert not Message.objects.exists()


def test_a_body_over_the_request_limit_is_refused_whole(rita, report, settings):
    receipt, _reference = report()
    response = post(receipt, raw=b'{"body": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}')
    assert response.status_code == 413
    assert not Message.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer 12345", "Receipt", "Receipt   "])
def test_it_asks_for_the_receipt(rita, report, header):
    report()
    headers = {"Authorization": header} if header is not None else {}
    response = Client().post("/api/v1/reports/messages", {"body": ANSWER}, content_type="application/json",
                             headers=headers)
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_it_answers_not_found_for_a_wrong_receipt(rita, report):
    receipt, _reference = report()
    wrong = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    response = post(wrong)
    assert response.status_code == 404
    assert response.json() == {"detail": "No report has this receipt."}
    assert not Message.objects.exists()


@override_settings(RECEIPT_GUESSES_PER_MINUTE=2)
def test_wrong_receipts_count_with_the_page_and_the_status_api(rita, report, api):
    receipt, _reference = report()
    guesser_window_is_fresh()
    assert post("11111-11111-11111-11111-11111").status_code == 404
    assert api.status("Receipt 22222").status_code == 404
    response = post(receipt)
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many wrong receipts. Wait a minute and try again."}
    assert not Message.objects.exists()


def test_it_leaves_the_receipt_out_of_every_log(rita, report, caplog):
    caplog.set_level(logging.DEBUG)
    receipt, _reference = report()
    post(receipt, {"body": ""})
    post(receipt)
    for spelling in [receipt, receipt.replace("-", "")]:
        assert spelling not in caplog.text


def test_it_is_described_in_the_openapi_document(db):
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/reports/messages"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["required"] == ["body"]
    assert "201" in operation["responses"]
