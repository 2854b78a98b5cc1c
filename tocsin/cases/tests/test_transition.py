"""POST /staff/cases/<ref>/state/: a responder moves the case on from the case page."""

from __future__ import annotations

import datetime as dt

import pytest

from tocsin.audit.models import Entry
from tocsin.cases.models import Case, CaseTransition, Referral
from tocsin.cases.tests.conftest import act

pytestmark = pytest.mark.django_db
FOLLOW_UP = (dt.date.today() + dt.timedelta(days=7)).isoformat()


def status_of(reference: str) -> str:
    return Case.objects.get(reference=reference).status


def test_it_moves_the_case_and_returns_to_it(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    response = act(client, reference, "state", {"to_state": "vetting", "from_state": "new"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{reference}/"
    assert status_of(reference) == "vetting"
    row = CaseTransition.objects.get(case__reference=reference)
    assert (row.from_state, row.to_state, row.by) == ("new", "vetting", rita)
    page = client.get(response["Location"]).content.decode()
    assert "The case is now: Being checked." in page
    assert '<dd id="status">Being checked</dd>' in page


def test_the_page_offers_only_the_moves_the_state_allows(rita, logged_in, report):
    _, reference = report()
    Case.objects.filter(reference=reference).update(status="vetting")
    page = logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()
    assert 'name="to_state" value="accepted"' in page
    assert 'name="to_state" value="closed"' in page
    assert 'type="hidden" name="to_state" value="out_of_mandate"' in page  # its own form, with the referral
    assert 'value="in_progress"' not in page
    assert 'value="resolved"' not in page


def test_it_refers_the_case_out_of_mandate_in_the_same_step(rita, logged_in, report):
    _, reference = report()
    Case.objects.filter(reference=reference).update(status="vetting")
    response = act(logged_in(rita), reference, "state", {
        "to_state": "out_of_mandate", "from_state": "vetting", "partner": "Memorial",
        "note": "Call Anna on Monday", "follow_up_on": FOLLOW_UP})
    assert response.status_code == 302
    assert status_of(reference) == "out_of_mandate"
    referral = Referral.objects.get(case__reference=reference)
    assert (referral.partner, referral.follow_up_on.isoformat()) == ("Memorial", FOLLOW_UP)
    assert b"Anna" not in bytes(referral.sealed_note)


@pytest.mark.parametrize(("data", "field", "problem"), [
    ({"to_state": "out_of_mandate", "follow_up_on": FOLLOW_UP}, "partner",
     "Partner organisation: Name the partner organisation the case is referred to."),
    ({"to_state": "out_of_mandate", "partner": "Memorial"}, "follow_up_on",
     "Follow up on: Choose the day to follow the referral up."),
    ({"to_state": "out_of_mandate", "partner": "Memorial", "follow_up_on": "2020-01-01"}, "follow_up_on",
     "This date has passed."),
    ({"to_state": "out_of_mandate", "partner": "Memorial", "follow_up_on": "next week"}, "follow_up_on",
     "Enter a date as YYYY-MM-DD."),
    ({"to_state": "out_of_mandate", "partner": "Mem\x07orial", "follow_up_on": FOLLOW_UP}, "partner",
     "control characters"),
    ({"to_state": "out_of_mandate", "partner": "M" * 201, "follow_up_on": FOLLOW_UP}, "partner",
     "at most 200 characters"),
])
def test_it_refuses_out_of_mandate_without_a_good_referral(rita, logged_in, report, data, field, problem):
    _, reference = report()
    Case.objects.filter(reference=reference).update(status="vetting")
    response = act(logged_in(rita), reference, "state", data)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="move_{field}-errors"' in content
    assert problem in content
    assert status_of(reference) == "vetting"
    assert not Referral.objects.exists() and not CaseTransition.objects.exists()


@pytest.mark.parametrize(("to_state", "problem"), [
    ("", "New state: This field is required."),
    ("open", "New state: “open” is not a state. The states are: new, vetting, accepted"),
    ("closed", "New state: A case in “Received, waiting for a responder” cannot move to “Closed”."),
    ("new", "cannot move to “Received, waiting for a responder”"),
])
def test_it_refuses_an_unknown_or_forbidden_move_naming_the_field(rita, logged_in, report, to_state, problem):
    _, reference = report()
    response = act(logged_in(rita), reference, "state", {"to_state": to_state})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="transition-errors"' in content
    assert problem in content
    assert "no-store" in response["Cache-Control"]  # the case page, decrypted, shown again
    assert status_of(reference) == "new"
    assert not CaseTransition.objects.exists()
    assert not Entry.objects.filter(action="case.transitioned").exists()


def test_it_says_when_someone_else_moved_the_case_first(rita, lena, logged_in, report):
    _, reference = report()
    rita_client, lena_client = logged_in(rita), logged_in(lena)
    seen = {"to_state": "vetting", "from_state": "new"}
    assert act(lena_client, reference, "state", seen).status_code == 302
    response = act(rita_client, reference, "state", seen)
    assert response.status_code == 409
    assert "Someone moved this case to “Being checked” meanwhile" in response.content.decode()
    assert CaseTransition.objects.count() == 1


def test_it_refuses_a_made_up_current_state(rita, logged_in, report):
    _, reference = report()
    response = act(logged_in(rita), reference, "state", {"to_state": "vetting", "from_state": "nowhere"})
    assert response.status_code == 400
    assert "Current state: “nowhere” is not a state." in response.content.decode()
    assert status_of(reference) == "new"


def test_it_only_accepts_post(rita, logged_in, report):
    _, reference = report()
    assert logged_in(rita).get(f"/staff/cases/{reference}/state/").status_code == 405


def test_it_shows_the_history_and_the_time_in_each_state(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    act(client, reference, "state", {"to_state": "vetting"})
    page = client.get(f"/staff/cases/{reference}/").content.decode()
    assert 'id="time-new"' in page and 'id="time-vetting"' in page
    assert "Received, waiting for a responder → Being checked · rita" in page
