"""A session past the password but not past the code gets nothing of the staff side.

SecondFactorMiddleware sends it to the code step from every path that is not
public or part of logging in, before any view runs; the views know nothing of it."""

import io
from typing import Any

import pytest
from django.test import Client

from tocsin.accounts import keyring
from tocsin.accounts.models import User
from tocsin.accounts.tests.helpers import half_logged_in
from tocsin.audit.models import Entry
from tocsin.cases.models import Evidence, Message
from tocsin.conftest import PASSWORD, VALID_REPORT

pytestmark = pytest.mark.django_db
NARRATIVE = VALID_REPORT["narrative"]
FILE_BYTES = b"Protocol of seizure no. 17, unverified-session marker\n"


@pytest.fixture
def filed(rita: User) -> tuple[str, str]:
    """A report with one file: its reference and the file's public id."""
    upload = io.BytesIO(FILE_BYTES)
    upload.name = "protocol.txt"
    response = Client().post("/api/v1/reports", {
        "act_types": ["raid"], "occurred_on": "2026-03-15", "country": "RU",
        "narrative": NARRATIVE, "files": [upload],
    })
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    return reference, Evidence.objects.get(case__reference=reference).public_id


def staff_urls(reference: str, evidence_id: str) -> list[str]:
    return [
        "/staff/",
        f"/staff/cases/{reference}/",
        f"/staff/cases/{reference}/evidence/{evidence_id}/",
        "/accounts/password/",
        "/accounts/reauth/",
        "/staff/no-such-page/",  # deny by default: even a path nobody wrote yet
    ]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_gets_no_staff_page_by_url(rita, filed):
    reference, evidence_id = filed
    client = half_logged_in(rita)
    assert client.cookies[keyring.COOKIE].value  # the key is unwrapped already
    for url in staff_urls(reference, evidence_id):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/code/?next="), url
        content = body(response)
        assert reference.encode() not in content and NARRATIVE.encode() not in content
        assert FILE_BYTES not in content


def test_it_changes_nothing_by_posting(rita, filed):
    reference, _ = filed
    client = half_logged_in(rita)
    before = User.objects.get(pk=rita.pk).password
    response = client.post("/accounts/password/", {"old_password": PASSWORD,
                                                   "new_password": "a brand new passphrase here"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/code/"
    assert User.objects.get(pk=rita.pk).password == before
    messages = Message.objects.count()
    response = client.post(f"/staff/cases/{reference}/messages/", {"body": "Hello from a thief"})
    assert response["Location"] == "/accounts/code/"
    assert Message.objects.count() == messages
    assert not Entry.objects.filter(actor=rita).exists()  # nothing opened, sent or changed


def test_it_still_reaches_the_public_pages(rita):
    client = half_logged_in(rita)
    assert client.get("/report/").status_code == 200
    assert client.get("/followup/").status_code == 200
    assert client.get("/accounts/recover/").status_code == 200


def test_it_can_log_out(rita):
    client = half_logged_in(rita)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")


def test_an_anonymous_visitor_is_still_sent_to_log_in(filed):
    reference, evidence_id = filed
    for url in staff_urls(reference, evidence_id)[:4]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_session_whose_app_was_removed_loses_its_second_factor(rita, logged_in, filed):
    reference, _ = filed
    client = logged_in(rita)
    assert client.get(f"/staff/cases/{reference}/").status_code == 200
    rita.totpdevice_set.all().delete()
    assert client.get(f"/staff/cases/{reference}/").status_code == 302
