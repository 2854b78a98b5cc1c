"""Routing: which team receives a report, and who can read it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tocsin.accounts.models import Membership, ResponderKey, Team, User
from tocsin.cases.models import Case, CaseKey
from tocsin.conftest import VALID_REPORT, make_responder

from .conftest import PDF, Upload


def readers(reference: str) -> set[str]:
    return set(CaseKey.objects.filter(case__reference=reference).values_list("user__username", flat=True))


def test_it_sends_a_report_to_the_team_claiming_its_country(rita, bora, report):
    _receipt, reference = report(country="BY")
    assert Case.objects.get(reference=reference).team.name == "belarus"
    assert readers(reference) == {"bora"}


def test_it_sends_a_report_from_an_unclaimed_country_to_the_default_team(rita, lena, bora, report):
    _receipt, reference = report(country="RU")
    assert Case.objects.get(reference=reference).team.name == Team.DEFAULT
    assert readers(reference) == {"rita", "lena"}


def test_it_seals_the_key_to_nobody_outside_the_team(rita, lena, bora, adam, report):
    _receipt, reference = report(country="KZ")
    assert readers(reference) == {"rita", "lena"}
    assert CaseKey.objects.filter(case__reference=reference).count() == 2


def test_it_seals_no_key_to_a_deactivated_responder(rita, lena, report):
    lena.is_active = False
    lena.save()
    _receipt, reference = report()
    assert readers(reference) == {"rita"}


def test_it_falls_back_to_the_default_team_when_the_claiming_team_has_nobody(rita, bora, report):
    bora.is_active = False
    bora.save()
    _receipt, reference = report(country="BY")
    assert Case.objects.get(reference=reference).team.name == Team.DEFAULT
    assert readers(reference) == {"rita"}


def test_it_hides_the_report_from_another_team(rita, bora, logged_in, report):
    _receipt, reference = report(country="RU")
    assert logged_in(bora).get(f"/staff/cases/{reference}/").status_code == 404
    assert logged_in(rita).get(f"/staff/cases/{reference}/").status_code == 200


def test_it_shows_the_form_as_unavailable_while_no_responder_exists(db):
    response = Client().get("/report/")
    assert response.status_code == 503
    assert "No responder has been set up to read reports" in response.content.decode()
    assert 'name="narrative"' not in response.content.decode()


def test_it_stores_no_form_report_while_no_responder_exists(adam, reporter, nothing_stored):
    # An administrator has no key pair: a report sealed to nobody could never be read.
    response = reporter.send(files=[Upload("warrant.pdf", PDF, "application/pdf")])
    assert response.status_code == 503
    assert "No responder has been set up to read reports" in response.content.decode()
    nothing_stored()


def test_it_stores_no_api_report_while_no_responder_exists(adam, api, nothing_stored):
    response = api.send_json(VALID_REPORT)
    assert response.status_code == 503
    assert response.json() == {"detail": "Nobody can receive reports yet."}
    response = api.send_multipart(files=[Upload("warrant.pdf", PDF, "application/pdf")])
    assert response.status_code == 503
    nothing_stored()


def test_it_stores_nothing_when_no_team_can_read_the_country(bora, api, nothing_stored):
    # bora's team claims only BY, and the default team has nobody.
    response = api.send_json({**VALID_REPORT, "country": "RU"})
    assert response.status_code == 503
    assert "Nobody can receive reports" in response.json()["detail"]
    nothing_stored()


def test_it_shows_the_form_as_unavailable_when_no_team_can_read_the_country(bora, reporter, nothing_stored):
    response = reporter.send({"country": "RU"})
    assert response.status_code == 503
    assert "try again later" in response.content.decode()
    nothing_stored()


# -- The per-process directory snapshot (tocsin.server.snapshots) ---------------
# Each test first stores a report, so the process holds a snapshot taken
# before the change; the next report must not be routed by that copy.

def submitted_readers(**fields: object) -> set[str]:
    """Store a report through the action itself, skipping the views' check
    that refreshes the snapshot: only the in-transaction check guards it."""
    from django.utils.datastructures import MultiValueDict

    from tocsin.intake import actions
    from tocsin.intake.api import _from_json
    from tocsin.intake.forms import ReportForm

    data, _language = _from_json(json.dumps({**VALID_REPORT, **fields}).encode())
    form = ReportForm(data, MultiValueDict())
    assert form.is_valid(), form.errors
    return readers(actions.submit_report(form.to_input()).case.reference)


def test_it_seals_no_key_to_a_responder_deactivated_by_a_bulk_update(rita, lena):
    assert submitted_readers() == {"rita", "lena"}
    User.objects.filter(pk=lena.pk).update(is_active=False)  # no model signal is sent
    assert submitted_readers() == {"rita"}


def test_it_seals_the_key_to_a_responder_who_joined_after_the_last_report(rita):
    assert submitted_readers() == {"rita"}
    make_responder("nina", Team.DEFAULT)
    assert submitted_readers() == {"rita", "nina"}


def test_it_follows_a_country_claimed_after_the_last_report(rita, bora):
    assert submitted_readers(country="AM") == {"rita"}
    Team.objects.filter(name="belarus").update(countries=["BY", "AM"])
    assert submitted_readers(country="AM") == {"bora"}


def test_it_stops_sealing_to_a_responder_removed_from_the_team(rita, lena):
    assert submitted_readers() == {"rita", "lena"}
    Membership.objects.filter(user=lena).delete()
    assert submitted_readers() == {"rita"}


def test_it_refuses_a_report_once_the_last_responder_is_gone(rita):
    from tocsin.intake import routing

    assert submitted_readers() == {"rita"}
    User.objects.filter(pk=rita.pk).update(is_active=False)
    with pytest.raises(routing.NoResponders):
        submitted_readers()


def test_a_password_change_does_not_change_who_reads(rita, lena):
    # Re-wrapping the private key changes the row, not the public key.
    assert submitted_readers() == {"rita", "lena"}
    ResponderKey.objects.filter(user=lena).update(salt=b"\0" * 16)
    assert submitted_readers() == {"rita", "lena"}
