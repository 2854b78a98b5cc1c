"""/staff/demands/new/: recording a government demand."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tocsin.accounts.models import Team
from tocsin.audit.models import Entry
from tocsin.demands.models import Demand

from .conftest import OFFICIAL, SCOPE, form_data

URL = "/staff/demands/new/"


def test_a_responder_records_a_demand_for_their_team(rita, logged_in):
    client = logged_in(rita)
    assert client.get(URL).status_code == 200
    response = client.post(URL, form_data(legal_basis="Art. 144 Criminal Procedure Code"))
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/demands/{demand.reference}/"
    assert demand.team.name == Team.DEFAULT
    assert (demand.country, demand.type, demand.delivery) == ("RU", "account_data", "written")
    assert demand.legal_basis == "Art. 144 Criminal Procedure Code"
    assert demand.status == "open" and demand.recorded_by == rita
    entry = Entry.objects.get(action="demand.recorded")
    assert entry.actor == rita and entry.target == demand.reference
    assert OFFICIAL not in str(entry.detail) and SCOPE not in str(entry.detail)


def test_the_official_and_the_scope_are_sealed_at_rest(rita, logged_in):
    logged_in(rita).post(URL, form_data())
    dump = io.StringIO()
    call_command("dumpdata", "demands", "audit", stdout=dump)
    assert "Sidorenko" not in dump.getvalue()
    assert "editor@novaya-example.org" not in dump.getvalue()
    # ... while what the transparency figures count stays plain.
    assert "Prosecutor's Office of Irkutsk Region" in dump.getvalue()
    assert "account_data" in dump.getvalue()


def test_the_page_shows_the_sealed_details_to_the_team(rita, logged_in):
    client = logged_in(rita)
    response = client.post(URL, form_data())
    html = client.get(response["Location"]).content.decode()
    assert "Major Sidorenko" in html and "editor@novaya-example.org" in html
    assert Entry.objects.filter(action="demand.read", actor=rita).exists()


def test_headquarters_may_record_for_any_team(hana, bora, logged_in):
    response = logged_in(hana).post(URL, form_data(team="belarus", country="BY"))
    assert response.status_code == 302
    assert Demand.objects.get().team.name == "belarus"


def test_a_responder_cannot_record_for_another_team(rita, bora, logged_in):
    response = logged_in(rita).post(URL, form_data(team="belarus"))
    assert response.status_code == 400
    assert 'id="id_team-errors"' in response.content.decode()
    assert not Demand.objects.exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"agency": ""}, "agency"),
    ({"agency": "x" * 301}, "agency"),
    ({"official": "x" * 301}, "official"),
    ({"legal_basis": "x" * 501}, "legal_basis"),
    ({"scope": "x" * 5001}, "scope"),
    ({"scope": "bad \x00 byte"}, "scope"),
    ({"delivery": "telepathy"}, "delivery"),
    ({"delivery": ""}, "delivery"),
    ({"type": "raid"}, "type"),
    ({"country": "ZZ"}, "country"),
    ({"country": ""}, "country"),
    ({"team": "nonexistent"}, "team"),
    ({"received_on": "yesterday"}, "received_on"),
    ({"received_on": ""}, "received_on"),
    ({"received_on": str(timezone.localdate() + datetime.timedelta(days=3))}, "received_on"),
    ({"due_on": str(timezone.localdate() - datetime.timedelta(days=30))}, "due_on"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(rita, logged_in, overrides, field):
    response = logged_in(rita).post(URL, form_data(**overrides))
    assert response.status_code == 400
    assert f'id="id_{field}-errors"' in response.content.decode()
    assert not Demand.objects.exists()
    assert not Entry.objects.filter(action="demand.recorded").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(db):
    for response in (Client().get(URL), Client().post(URL, form_data())):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not Demand.objects.exists()


def test_someone_in_no_team_gets_not_found(adam, logged_in):
    client = logged_in(adam)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data()).status_code == 404
    assert client.get("/staff/demands/").status_code == 404
    assert not Demand.objects.exists()
