"""Routing: which team receives a report, and who can read it."""

from __future__ import annotations

from django.test import Client

from tocsin.accounts.models import Team
from tocsin.cases.models import Case, CaseKey
from tocsin.conftest import VALID_REPORT

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
