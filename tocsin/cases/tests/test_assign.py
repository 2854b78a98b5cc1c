"""POST /staff/cases/<ref>/assignee/: the case goes to a responder who can open it."""

from __future__ import annotations

import pytest

from tocsin.audit.models import Entry
from tocsin.cases.models import Case
from tocsin.cases.tests.conftest import act

pytestmark = pytest.mark.django_db


def assignee_of(reference: str):
    return Case.objects.get(reference=reference).assignee


def test_it_assigns_a_reader_of_the_case(rita, lena, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    response = act(client, reference, "assignee", {"assignee": "lena"})
    assert response.status_code == 302
    assert assignee_of(reference) == lena
    entry = Entry.objects.get(action="case.assigned")
    assert (entry.actor, entry.detail) == (rita, {"from": None, "to": "lena", "acknowledged": True})
    page = client.get(f"/staff/cases/{reference}/").content.decode()
    assert "Assigned to lena." in page
    assert '<dd id="assignee">lena</dd>' in page


def test_a_responder_takes_it_on_with_one_button(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    page = client.get(f"/staff/cases/{reference}/").content.decode()
    assert '<input type="hidden" name="assignee" value="rita">' in page
    act(client, reference, "assignee", {"assignee": "rita"})
    assert assignee_of(reference) == rita
    assert "Take it on myself" not in client.get(f"/staff/cases/{reference}/").content.decode()


def test_the_first_assignment_acknowledges_the_case(rita, lena, logged_in, report, events):
    _, reference = report()
    client = logged_in(rita)
    act(client, reference, "assignee", {"assignee": "lena"})
    act(client, reference, "assignee", {"assignee": "rita"})
    act(client, reference, "state", {"to_state": "vetting"})
    case = Case.objects.get(reference=reference)
    assert case.acknowledged_at is not None
    acknowledged = [e for e in events if e.signal == "case_acknowledged"]
    assert [(e.kwargs["by"], e.inside_the_action) for e in acknowledged] == [(rita, True)]


def test_unassigning_does_not_acknowledge(rita, logged_in, report, events):
    _, reference = report()
    assert act(logged_in(rita), reference, "assignee", {"assignee": ""}).status_code == 302
    assert Case.objects.get(reference=reference).acknowledged_at is None
    assert events == []


def test_it_can_be_given_back_to_nobody(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    act(client, reference, "assignee", {"assignee": "rita"})
    act(client, reference, "assignee", {"assignee": ""})
    assert assignee_of(reference) is None
    assert Entry.objects.filter(action="case.assigned").last().detail["to"] is None


@pytest.mark.parametrize("who", ["bora", "adam", "nobody-by-that-name", "RITA", "x" * 151])
def test_it_refuses_someone_who_cannot_open_the_case(rita, bora, adam, logged_in, report, who):
    _, reference = report()
    response = act(logged_in(rita), reference, "assignee", {"assignee": who})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_assignee-errors"' in content
    assert "Assigned to:" in content
    assert assignee_of(reference) is None
    assert not Entry.objects.filter(action="case.assigned").exists()


def test_the_choice_lists_only_the_readers(rita, lena, bora, logged_in, report):
    _, reference = report()
    page = logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()
    assert '<option value="lena">lena</option>' in page
    assert '<option value="rita">rita</option>' in page
    assert "bora" not in page
