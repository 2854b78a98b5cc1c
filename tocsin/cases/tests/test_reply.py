"""POST /staff/cases/<ref>/messages/: a responder writes to the reporter."""

import pytest
from django.test import Client

from tocsin.audit.models import Entry
from tocsin.cases.models import Message

pytestmark = pytest.mark.django_db
REPLY = "A lawyer will call you tomorrow at 10:00."


def reply(client: Client, reference: str, body: str):
    return client.post(f"/staff/cases/{reference}/messages/", {"body": body})


def test_it_sends_the_message_and_returns_to_the_case(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    response = reply(client, reference, REPLY)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{reference}/"
    message = Message.objects.get(case__reference=reference)
    assert (message.direction, message.author) == (Message.Direction.TO_REPORTER, rita)
    assert REPLY in client.get(f"/staff/cases/{reference}/").content.decode()


def test_it_stores_the_message_encrypted(rita, logged_in, report):
    _, reference = report()
    reply(logged_in(rita), reference, REPLY)
    assert b"lawyer" not in bytes(Message.objects.get().ciphertext)


def test_the_reporter_reads_it_with_the_receipt(rita, logged_in, report):
    receipt, reference = report()
    reply(logged_in(rita), reference, REPLY)
    response = Client().get("/api/v1/reports/status", HTTP_AUTHORIZATION=f"Receipt {receipt}")
    assert response.status_code == 200
    assert [m["body"] for m in response.json()["messages"]] == [REPLY]


def test_it_logs_the_message(rita, logged_in, report):
    _, reference = report()
    reply(logged_in(rita), reference, REPLY)
    entry = Entry.objects.get(action="message.sent")
    assert (entry.actor, entry.target) == (rita, reference)
    assert "lawyer" not in str(entry.detail)


def test_it_escapes_markup_in_the_message(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    reply(client, reference, "<script>alert(1)</script>")
    content = client.get(f"/staff/cases/{reference}/").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize(("body", "problem"), [
    ("", "This field is required."),
    ("   \n\t ", "This field is required."),
    ("x" * 10_001, "at most 10000 characters"),
    ("Call us\x07 now", "control characters"),
    ("Call us\x1b[31m now", "control characters"),
    ("Call us\x00 now", "Null characters are not allowed."),
])
def test_it_refuses_a_bad_body_naming_the_field(rita, logged_in, report, body, problem):
    _, reference = report()
    response = reply(logged_in(rita), reference, body)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_body-errors"' in content
    assert "Message to the reporter:" in content
    assert problem in content
    assert not Message.objects.exists()
    assert not Entry.objects.filter(action="message.sent").exists()


def test_it_accepts_line_breaks_and_the_longest_body(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    assert reply(client, reference, "Line one\r\nLine two\twith a tab").status_code == 302
    assert reply(client, reference, "x" * 10_000).status_code == 302
    assert Message.objects.count() == 2


def test_it_only_accepts_post(rita, logged_in, report):
    _, reference = report()
    assert logged_in(rita).get(f"/staff/cases/{reference}/messages/").status_code == 405
