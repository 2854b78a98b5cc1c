"""Who may reach every staff address, and the reporter's message API: a permission matrix.

- an anonymous visitor and a reporter holding the receipt are sent to log in;
- a responder of another team (bora) and the administrator (adam) get "not
  found" for anything about the case, and lists without it;
- a responder of the team (rita) gets the content and can act;
- the administrator reads a case only once a reader gives it to him, which
  needs a key pair he does not have: so never.

The reporter's API (``POST /api/v1/reports/messages``) answers only the
receipt: a session, however privileged, is not one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.test import Client

from tocsin.audit.models import Entry
from tocsin.cases import actions
from tocsin.cases.models import (
    Case,
    CaseKey,
    CaseTransition,
    CustodyEntry,
    Intervention,
    Message,
    Referral,
)
from tocsin.cases.tests.conftest import EVIDENCE, MARKER, Filed, fresh, key_for, stale

pytestmark = pytest.mark.django_db
REPLY = "We have a lawyer for you tomorrow"
OUTSIDERS = ["anonymous", "reporter", "bora", "adam"]
FOLLOW_UP = (dt.date.today() + dt.timedelta(days=5)).isoformat()
# (name, method, path after /staff/cases/<ref>/, form data); "inbox" and "times" are not about one case.
CASE_ENDPOINTS: list[tuple[str, str, str, dict[str, str]]] = [
    ("case", "get", "", {}),
    ("reply", "post", "messages/", {"body": REPLY}),
    ("evidence", "get", "evidence/{evidence}/", {}),
    ("transition", "post", "state/", {"to_state": "vetting", "from_state": "new"}),
    ("severity", "post", "severity/", {"severity": "normal"}),
    ("assign", "post", "assignee/", {"assignee": "rita"}),
    ("labels", "post", "labels/", {"labels": "press"}),
    ("intervention", "post", "interventions/", {"kind": "other", "happened_on": "2026-03-20", "note": "n"}),
    ("referral", "post", "referrals/", {"partner": "Memorial", "follow_up_on": FOLLOW_UP}),
    ("followed_up", "post", "referrals/{referral}/followed-up/", {}),
    ("access", "get", "access/", {}),
    ("grant", "post", "access/grant/", {"user": "bora", "team": ""}),
    ("revoke", "post", "access/revoke/", {"user": "rita"}),
    ("export", "get", "export/", {}),
]
ENDPOINTS = ["inbox", "times", *[name for name, *_ in CASE_ENDPOINTS]]


@dataclasses.dataclass(frozen=True)
class Matrix(Filed):
    """A filed report with one open referral, so that every address has something to reach."""

    referral_id: str


@pytest.fixture
def filed(rita, bora, adam, file_report):
    filed = file_report()
    case = Case.objects.get(reference=filed.reference)
    referral = actions.refer(case, key_for(rita, filed.reference), partner="Memorial",
                             follow_up_on=dt.date.today() + dt.timedelta(days=3), acting_user=rita)
    return Matrix(**dataclasses.asdict(filed), referral_id=referral.public_id)


@pytest.fixture
def client_for(request, filed, logged_in, reporter):
    def make(who: str) -> Client:
        if who == "anonymous":
            return Client()
        if who == "reporter":
            return reporter(filed.receipt)
        # Freshly authenticated, so that granting and exporting turn on the case alone.
        return fresh(logged_in(request.getfixturevalue(who)))

    return make


def call(client: Client, endpoint: str, filed) -> object:
    if endpoint == "inbox":
        return client.get("/staff/")
    if endpoint == "times":
        return client.get("/staff/state-times/")
    _name, method, path, data = next(e for e in CASE_ENDPOINTS if e[0] == endpoint)
    url = f"/staff/cases/{filed.reference}/" + path.format(evidence=filed.evidence_id,
                                                            referral=filed.referral_id)
    return client.get(url) if method == "get" else client.post(url, data)


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_nothing_leaked(response, filed) -> None:
    content = body(response)
    assert MARKER.encode() not in content
    assert b"Baikal" not in content
    assert EVIDENCE[:40] not in content


def snapshot(filed) -> tuple:
    """Everything an endpoint here could change about the case."""
    case = Case.objects.get(reference=filed.reference)
    return (
        case.status, case.severity, case.assignee_id, case.labels, case.acknowledged_at,
        sorted(CaseKey.objects.filter(case=case).values_list("user_id", flat=True)),
        CaseTransition.objects.count(), Intervention.objects.count(), Message.objects.count(),
        list(Referral.objects.values_list("public_id", "followed_up_at")),
        CustodyEntry.objects.filter(action=CustodyEntry.Action.OPENED).count(),
        Entry.objects.count(),
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "reporter"])
def test_it_sends_visitors_without_a_login_to_log_in(client_for, filed, who, endpoint):
    response = call(client_for(who), endpoint, filed)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert_nothing_leaked(response, filed)


@pytest.mark.parametrize("endpoint", [name for name, *_ in CASE_ENDPOINTS])
@pytest.mark.parametrize("who", ["bora", "adam"])
def test_it_answers_not_found_to_responders_who_were_not_given_the_case(client_for, filed, who,
                                                                      endpoint):
    response = call(client_for(who), endpoint, filed)
    assert response.status_code == 404
    assert_nothing_leaked(response, filed)
    assert filed.reference not in body(response).decode()


@pytest.mark.parametrize("endpoint", ["inbox", "times"])
@pytest.mark.parametrize("who", ["bora", "adam"])
def test_it_leaves_the_case_out_of_other_lists(client_for, filed, who, endpoint):
    response = call(client_for(who), endpoint, filed)
    assert response.status_code == 200
    assert filed.reference not in response.content.decode()
    if endpoint == "times":
        assert "Over the 0 cases you can open." in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_change_nothing_and_leave_no_reading_in_the_log(client_for, filed, who):
    client = client_for(who)
    before = snapshot(filed)
    for endpoint in ENDPOINTS:
        call(client, endpoint, filed)
    assert snapshot(filed) == before


@pytest.mark.parametrize("who", ["bora", "adam"])
def test_a_stale_outsider_is_only_asked_for_the_password(client_for, filed, who):
    client = stale(client_for(who))
    for endpoint in ["access", "grant", "revoke", "export"]:
        response = call(client, endpoint, filed)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauth/?next=")
        assert_nothing_leaked(response, filed)


def test_a_responder_of_the_team_reaches_everything(client_for, filed):
    client = client_for("rita")
    expected = {"inbox": 200, "times": 200, "case": 200, "evidence": 200, "access": 200, "export": 200}
    for endpoint in ENDPOINTS:
        if endpoint == "revoke":
            continue  # below, once bora has been given the case
        response = call(client, endpoint, filed)
        assert response.status_code == expected.get(endpoint, 302), (endpoint, response.content)
        if endpoint in ("case", "export"):
            assert MARKER in response.content.decode()
        if endpoint == "evidence":
            assert body(response) == EVIDENCE
    case = Case.objects.get(reference=filed.reference)
    assert (case.status, case.severity, case.assignee.username, case.labels) == (
        "vetting", "normal", "rita", ["press"])
    assert Intervention.objects.count() == 1 and Referral.objects.count() == 2
    assert not Referral.objects.get(public_id=filed.referral_id).is_open
    assert Message.objects.filter(case=case).count() == 1
    assert CaseKey.objects.filter(case=case, user__username="bora").exists()
    response = client.post(f"/staff/cases/{filed.reference}/access/revoke/", {"user": "bora"})
    assert response.status_code == 302
    assert not CaseKey.objects.filter(case=case, user__username="bora").exists()


def test_missing_and_forbidden_look_the_same(client_for, filed):
    client = client_for("bora")
    for name, method, path, data in CASE_ENDPOINTS:
        suffix = path.format(evidence=filed.evidence_id, referral=filed.referral_id)
        send = client.get if method == "get" else client.post
        forbidden = send(f"/staff/cases/{filed.reference}/{suffix}", data)
        missing = send(f"/staff/cases/TX-2222-2222/{suffix}", data)
        assert (forbidden.status_code, forbidden.content) == (missing.status_code, missing.content), name
    forbidden = client.get(f"/staff/cases/{filed.reference}/evidence/{filed.evidence_id}/")
    missing = client.get(f"/staff/cases/{filed.reference}/evidence/{'0' * 32}/")
    assert (forbidden.status_code, forbidden.content) == (missing.status_code, missing.content)


def test_a_responder_of_another_team_reads_their_own_cases(client_for, file_report):
    belarus = file_report(country="BY", narrative="Belarus raid narrative")
    bora = client_for("bora")
    assert bora.get(f"/staff/cases/{belarus.reference}/").status_code == 200
    assert client_for("rita").get(f"/staff/cases/{belarus.reference}/").status_code == 404


def test_the_administrator_cannot_be_given_a_case(client_for, filed):
    response = client_for("rita").post(f"/staff/cases/{filed.reference}/access/grant/", {"user": "adam"})
    assert response.status_code == 400
    assert client_for("adam").get(f"/staff/cases/{filed.reference}/").status_code == 404


# -- The reporter's message API --------------------------------------------------


def post_message(client: Client, receipt: str | None):
    headers = {"Authorization": f"Receipt {receipt}"} if receipt else {}
    return client.post("/api/v1/reports/messages", json.dumps({"body": "Hello"}),
                       content_type="application/json", headers=headers)


@pytest.mark.parametrize("who", ["anonymous", "bora", "adam", "rita"])
def test_only_the_receipt_opens_the_message_api(client_for, filed, who):
    client = client_for(who)
    before = snapshot(filed)
    response = post_message(client, None)
    assert response.status_code == 401
    assert_nothing_leaked(response, filed)
    assert snapshot(filed) == before


def test_a_case_reference_is_not_a_receipt(client_for, filed):
    response = post_message(client_for("rita"), filed.reference)
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_reporter_holding_the_receipt_writes(client_for, filed):
    response = post_message(client_for("reporter"), filed.receipt)
    assert response.status_code == 201
    assert Message.objects.get(case__reference=filed.reference).direction == "from_reporter"
