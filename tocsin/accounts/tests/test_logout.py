"""/accounts/logout/: the sealed key in the session and its key cookie both go."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tocsin.accounts import keyring
from tocsin.audit.models import Entry

pytestmark = pytest.mark.django_db


def test_it_destroys_the_session_and_the_key_cookie(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    session_key = client.cookies["sessionid"].value
    key_share = client.cookies[keyring.COOKIE].value
    assert Session.objects.filter(session_key=session_key).exists()

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not Session.objects.filter(session_key=session_key).exists()
    deleted = response.cookies[keyring.COOKIE]
    assert deleted.value == ""
    assert deleted["max-age"] == 0

    # Someone who kept copies of both cookies gets nothing either.
    replay = Client()
    replay.cookies["sessionid"] = session_key
    replay.cookies[keyring.COOKIE] = key_share
    assert replay.get(f"/staff/cases/{reference}/").status_code == 302


def test_it_audits_the_logout(rita, logged_in):
    logged_in(rita).post("/accounts/logout/")
    entry = Entry.objects.get(action="logout")
    assert (entry.actor, entry.target) == (rita, "rita")


def test_an_anonymous_logout_records_nothing(db):
    assert Client().post("/accounts/logout/").status_code == 302
    assert not Entry.objects.filter(action="logout").exists()


def test_it_leaves_no_session_holding_the_sealed_key(rita, logged_in):
    client = logged_in(rita)
    client.post("/accounts/logout/")
    for session in Session.objects.all():
        assert keyring.SESSION_FIELD not in session.get_decoded()


def test_it_only_logs_out_on_post(rita, logged_in):
    # A GET could be triggered by any page that links or embeds the address.
    client = logged_in(rita)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/staff/").status_code == 200


def test_it_keeps_other_sessions_of_the_same_responder(rita, logged_in, report):
    _, reference = report()
    office, laptop = logged_in(rita), logged_in(rita)
    office.post("/accounts/logout/")
    assert laptop.get(f"/staff/cases/{reference}/").status_code == 200
