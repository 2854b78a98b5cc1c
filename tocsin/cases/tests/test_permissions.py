"""Who may reach every staff address: a permission matrix.

- an anonymous visitor and a reporter holding the receipt are sent to log in;
- a responder of another team and the administrator get "not found";
- a responder of the team gets the content."""

from __future__ import annotations

import pytest
from django.test import Client

from tocsin.audit.models import Entry
from tocsin.cases.models import CustodyEntry, Message
from tocsin.cases.tests.conftest import EVIDENCE, MARKER

pytestmark = pytest.mark.django_db
REPLY = "We have a lawyer for you tomorrow"
OUTSIDERS = ["anonymous", "reporter", "bora", "adam"]
ENDPOINTS = ["inbox", "case", "reply", "evidence"]


@pytest.fixture
def filed(rita, bora, adam, file_report):
    return file_report()


@pytest.fixture
def client_for(request, filed, logged_in, reporter):
    def make(who: str) -> Client:
        if who == "anonymous":
            return Client()
        if who == "reporter":
            return reporter(filed.receipt)
        return logged_in(request.getfixturevalue(who))

    return make


def call(client: Client, endpoint: str, filed) -> object:
    case = f"/staff/cases/{filed.reference}/"
    if endpoint == "inbox":
        return client.get("/staff/")
    if endpoint == "case":
        return client.get(case)
    if endpoint == "reply":
        return client.post(f"{case}messages/", {"body": REPLY})
    return client.get(f"{case}evidence/{filed.evidence_id}/")


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_nothing_leaked(response, filed) -> None:
    content = body(response)
    assert MARKER.encode() not in content
    assert b"Baikal" not in content
    assert EVIDENCE[:40] not in content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "reporter"])
def test_it_sends_visitors_without_a_login_to_log_in(client_for, filed, who, endpoint):
    response = call(client_for(who), endpoint, filed)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert_nothing_leaked(response, filed)


@pytest.mark.parametrize("endpoint", ["case", "reply", "evidence"])
@pytest.mark.parametrize("who", ["bora", "adam"])
def test_it_answers_not_found_to_responders_who_were_not_given_the_case(client_for, filed, who,
                                                                      endpoint):
    response = call(client_for(who), endpoint, filed)
    assert response.status_code == 404
    assert_nothing_leaked(response, filed)
    assert filed.reference not in body(response).decode()


@pytest.mark.parametrize("who", ["bora", "adam"])
def test_it_leaves_the_case_out_of_other_inboxes(client_for, filed, who):
    response = call(client_for(who), "inbox", filed)
    assert response.status_code == 200
    assert filed.reference not in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_change_nothing_and_leave_no_reading_in_the_log(client_for, filed, who):
    client = client_for(who)
    before = Entry.objects.count()
    for endpoint in ENDPOINTS:
        call(client, endpoint, filed)
    assert not Message.objects.exists()
    assert not CustodyEntry.objects.filter(action=CustodyEntry.Action.OPENED).exists()
    assert not Entry.objects.filter(action__in=["case.opened", "evidence.opened", "message.sent"]).exists()
    assert Entry.objects.count() == before


def test_a_responder_of_the_team_reaches_everything(client_for, filed):
    client = client_for("rita")
    inbox = call(client, "inbox", filed)
    assert inbox.status_code == 200 and filed.reference in inbox.content.decode()
    case = call(client, "case", filed)
    assert case.status_code == 200 and MARKER in case.content.decode()
    reply = call(client, "reply", filed)
    assert reply.status_code == 302
    assert reply["Location"] == f"/staff/cases/{filed.reference}/"
    assert Message.objects.filter(case__reference=filed.reference).count() == 1
    evidence = call(client, "evidence", filed)
    assert evidence.status_code == 200 and body(evidence) == EVIDENCE


def test_missing_and_forbidden_look_the_same(client_for, filed):
    client = client_for("bora")
    forbidden = client.get(f"/staff/cases/{filed.reference}/")
    missing = client.get("/staff/cases/TX-2222-2222/")
    assert (forbidden.status_code, forbidden.content) == (missing.status_code, missing.content)
    forbidden = client.get(f"/staff/cases/{filed.reference}/evidence/{filed.evidence_id}/")
    missing = client.get(f"/staff/cases/{filed.reference}/evidence/{'0' * 32}/")
    assert (forbidden.status_code, forbidden.content) == (missing.status_code, missing.content)


def test_a_responder_of_another_team_reads_their_own_cases(client_for, file_report):
    belarus = file_report(country="BY", narrative="Belarus raid narrative")
    bora = client_for("bora")
    assert bora.get(f"/staff/cases/{belarus.reference}/").status_code == 200
    assert client_for("rita").get(f"/staff/cases/{belarus.reference}/").status_code == 404
