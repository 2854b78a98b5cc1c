"""Changing a demand's details, and recording the response."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tocsin.audit.models import Entry
from tocsin.demands import sealing

from .conftest import form_data


def test_editing_the_details(demand, rita, logged_in):
    recorded = demand()
    client = logged_in(rita)
    url = f"/staff/demands/{recorded.reference}/edit/"
    page = client.get(url).content.decode()
    assert "Major Sidorenko" in page
    data = form_data(legal_basis="Art. 13 Law on Police", official="Captain Orlov", scope="Subscriber list")
    del data["team"], data["country"]
    assert client.post(url, data).status_code == 302
    recorded.refresh_from_db()
    assert recorded.legal_basis == "Art. 13 Law on Police"
    details = sealing.open_details(recorded.sealed, recorded.reference)
    assert (details.official, details.scope) == ("Captain Orlov", "Subscriber list")
    entry = Entry.objects.get(action="demand.updated")
    assert entry.detail == {"changed": ["legal_basis", "official", "scope"]}


def test_an_edit_that_changes_nothing_is_refused(demand, rita, logged_in):
    recorded = demand()
    data = form_data()
    del data["team"], data["country"]
    response = logged_in(rita).post(f"/staff/demands/{recorded.reference}/edit/", data)
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"agency": ""}, "agency"), ({"type": "nope"}, "type"), ({"received_on": "2026-13-01"}, "received_on"),
    ({"due_on": "2000-01-01"}, "due_on"),
])
def test_a_bad_edit_is_refused_and_nothing_changes(demand, rita, logged_in, overrides, field):
    recorded = demand()
    data = form_data(**overrides)
    del data["team"], data["country"]
    response = logged_in(rita).post(f"/staff/demands/{recorded.reference}/edit/", data)
    assert response.status_code == 400
    assert f'id="id_{field}-errors"' in response.content.decode()
    assert not Entry.objects.filter(action="demand.updated").exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"outcome": "ignored", "responded_on": "TODAY"}, "outcome"),
    ({"responded_on": "TODAY"}, "outcome"),
    ({"outcome": "complied", "responded_on": ""}, "responded_on"),
    ({"outcome": "complied", "responded_on": "31/12/2026"}, "responded_on"),
    ({"outcome": "complied", "responded_on": "TOMORROW"}, "responded_on"),
    ({"outcome": "complied", "responded_on": "BEFORE"}, "responded_on"),
    ({"outcome": "complied", "responded_on": "TODAY", "response": "x" * 10_001}, "response"),
])
def test_a_bad_response_is_refused_by_name(demand, rita, logged_in, data, field):
    recorded = demand()
    dates = {"TODAY": timezone.localdate(), "TOMORROW": timezone.localdate() + datetime.timedelta(days=2),
             "BEFORE": recorded.received_on - datetime.timedelta(days=1)}
    body = {name: str(dates.get(value, value)) for name, value in data.items()}
    response = logged_in(rita).post(f"/staff/demands/{recorded.reference}/response/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="response-errors"' in html
    assert f'id="id_{field}-errors"' in html or field == "responded_on"
    recorded.refresh_from_db()
    assert recorded.outcome == ""


def test_a_response_can_be_revised_while_open(demand, rita, logged_in):
    recorded = demand()
    client = logged_in(rita)
    url = f"/staff/demands/{recorded.reference}/response/"
    today = str(timezone.localdate())
    assert client.post(url, {"outcome": "partial", "responded_on": today}).status_code == 302
    assert client.post(url, {"outcome": "challenged", "responded_on": today,
                             "response": "Appealed to the court."}).status_code == 302
    recorded.refresh_from_db()
    assert recorded.outcome == "challenged"
    assert sealing.open_details(recorded.sealed, recorded.reference).response == "Appealed to the court."
    assert [e.detail["outcome"] for e in Entry.objects.filter(action="demand.responded")] == \
        ["partial", "challenged"]
