"""/staff/: the cases sealed to this responder, with triage metadata only."""

import pytest
from django.test import Client

from tocsin.conftest import make_responder

pytestmark = pytest.mark.django_db


def test_it_lists_the_cases_sealed_to_the_responder(rita, bora, logged_in, report):
    _, russia = report(country="RU")
    _, belarus = report(country="BY")
    rita_inbox = logged_in(rita).get("/staff/").content.decode()
    bora_inbox = logged_in(bora).get("/staff/").content.decode()
    assert russia in rita_inbox and belarus not in rita_inbox
    assert belarus in bora_inbox and russia not in bora_inbox


def test_it_lists_a_case_for_every_responder_of_the_team(rita, lena, logged_in, report):
    _, reference = report()
    assert reference in logged_in(lena).get("/staff/").content.decode()
    assert reference in logged_in(rita).get("/staff/").content.decode()


def test_it_leaves_out_cases_filed_before_a_responder_joined(rita, logged_in, report):
    _, reference = report()
    newcomer = make_responder("nadia", "default")
    assert reference not in logged_in(newcomer).get("/staff/").content.decode()


def test_it_shows_no_sealed_content(rita, logged_in, report):
    _, reference = report()
    content = logged_in(rita).get("/staff/").content.decode()
    assert reference in content
    assert "took every computer" not in content
    assert "Baikal" not in content
    assert "Irkutsk" not in content


def test_it_lists_the_newest_first(rita, logged_in, report):
    _, first = report()
    _, second = report()
    content = logged_in(rita).get("/staff/").content.decode()
    assert content.index(second) < content.index(first)


def test_it_says_when_there_is_nothing(rita, logged_in):
    response = logged_in(rita).get("/staff/")
    assert response.status_code == 200
    assert "No reports for your team yet." in response.content.decode()


def test_it_is_never_cached(rita, logged_in):
    assert "no-store" in logged_in(rita).get("/staff/")["Cache-Control"]


def test_it_sends_a_visitor_to_log_in(db):
    response = Client().get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/"
