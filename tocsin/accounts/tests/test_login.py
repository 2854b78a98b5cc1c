"""/accounts/login/: the password step. It unlocks the responder's private key
for this session only, then sends them to the second factor (see
test_second_factor.py and test_enrol.py for that step)."""

import io
import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client

from tocsin.accounts import keyring
from tocsin.accounts.models import User
from tocsin.accounts.tests.helpers import all_stored_bytes, contains_any_encoding, private_key_of
from tocsin.audit.models import Entry
from tocsin.conftest import PASSWORD, authenticator, pass_second_factor

pytestmark = pytest.mark.django_db


def log_in(username: str, password: str = PASSWORD) -> tuple[Client, Any]:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def log_in_with_code(username: str) -> Client:
    """Password, then the code from the responder's app: a fully logged-in client."""
    user = User.objects.get(username=username)
    authenticator(user)
    client, response = log_in(username)
    assert response.status_code == 302
    assert pass_second_factor(client, user).status_code == 302
    return client


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_it_shows_the_form():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_it_asks_for_the_code_then_opens_the_inbox(rita):
    authenticator(rita)
    client, response = log_in("rita")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/code/"
    assert client.get("/staff/")["Location"] == "/accounts/code/?next=%2Fstaff%2F"
    response = pass_second_factor(client, rita)
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_it_sends_an_account_without_an_app_to_set_one_up(rita):
    _, response = log_in("rita")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/enrol/"


def test_it_keeps_where_the_responder_was_going(rita):
    authenticator(rita)
    client = Client()
    response = client.post("/accounts/login/?next=/staff/cases/X/",
                           {"username": "rita", "password": PASSWORD, "next": "/staff/cases/X/"})
    assert response["Location"] == "/accounts/code/?next=%2Fstaff%2Fcases%2FX%2F"


def test_it_does_not_carry_an_off_site_next_through_the_code_step(rita):
    authenticator(rita)
    client = Client()
    response = client.post("/accounts/login/", {"username": "rita", "password": PASSWORD,
                                                "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/code/"


def test_it_unlocks_the_key_so_cases_open(rita, report):
    _, reference = report()
    client = log_in_with_code("rita")
    response = client.get(f"/staff/cases/{reference}/")
    assert response.status_code == 200
    assert "took every computer" in response.content.decode()


def test_it_keeps_the_raw_key_out_of_the_session_row_and_the_cookies(rita):
    client, _ = log_in("rita")
    private = private_key_of(rita, PASSWORD)
    row = session_row(client)
    assert not contains_any_encoding(row.session_data.encode(), private)
    decoded = row.get_decoded()
    assert keyring.SESSION_FIELD in decoded
    assert not contains_any_encoding(json.dumps(decoded).encode(), private)
    assert set(client.cookies) >= {"sessionid", keyring.COOKIE}
    for cookie in client.cookies.values():
        assert not contains_any_encoding(cookie.value.encode(), private)
    assert not contains_any_encoding(all_stored_bytes(), private)


def test_it_sets_the_key_cookie_for_this_site_only_and_out_of_scripts_reach(rita):
    client, _ = log_in("rita")
    cookie = client.cookies[keyring.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes


def test_the_session_alone_cannot_open_a_case(rita, report):
    _, reference = report()
    client = log_in_with_code("rita")
    thief = Client()
    thief.cookies["sessionid"] = client.cookies["sessionid"].value
    assert thief.get("/staff/").status_code == 200  # logged in, as the session says
    assert thief.get(f"/staff/cases/{reference}/").status_code == 404


def test_the_key_cookie_alone_cannot_open_a_case(rita, report):
    _, reference = report()
    client = log_in_with_code("rita")
    thief = Client()
    thief.cookies[keyring.COOKIE] = client.cookies[keyring.COOKIE].value
    response = thief.get(f"/staff/cases/{reference}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_key_cookie_opens_only_its_own_session(rita, report):
    _, reference = report()
    first = log_in_with_code("rita")
    second = log_in_with_code("rita")
    first.cookies[keyring.COOKIE] = second.cookies[keyring.COOKIE].value
    assert first.get(f"/staff/cases/{reference}/").status_code == 404
    assert second.get(f"/staff/cases/{reference}/").status_code == 200


def test_a_tampered_key_cookie_opens_nothing(rita, report):
    _, reference = report()
    client = log_in_with_code("rita")
    for value in ["", "not base64!", "AAAA", "A" * 44]:
        client.cookies[keyring.COOKIE] = value
        assert client.get(f"/staff/cases/{reference}/").status_code == 404


def test_it_refuses_a_wrong_password(rita):
    client, response = log_in("rita", PASSWORD + "x")
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode().lower()
    assert keyring.COOKIE not in client.cookies
    assert client.get("/staff/").status_code == 302
    assert not Entry.objects.filter(action="login").exists()


def test_it_refuses_an_unknown_user(db):
    client, response = log_in("nobody")
    assert response.status_code == 200
    assert keyring.COOKIE not in client.cookies


def test_it_audits_the_login_once_the_code_is_in(rita):
    authenticator(rita)
    client, _ = log_in("rita")
    assert not Entry.objects.filter(action="login").exists()
    pass_second_factor(client, rita)
    entry = Entry.objects.get(action="login")
    assert (entry.actor, entry.target) == (rita, "rita")
    assert entry.detail == {"second_factor": "totp"}


def test_an_administrator_without_a_key_pair_logs_in_but_reads_nothing(adam, rita, report):
    _, reference = report()
    client, response = log_in("adam")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/enrol/"  # administrators too
    assert keyring.COOKIE not in client.cookies or client.cookies[keyring.COOKIE].value == ""
    assert pass_second_factor(client, adam).status_code == 302
    inbox = client.get("/staff/")
    assert inbox.status_code == 200
    assert reference not in inbox.content.decode()
    assert client.get(f"/staff/cases/{reference}/").status_code == 404


def test_it_does_not_log_in_a_deactivated_responder(rita):
    rita.is_active = False
    rita.save()
    client, response = log_in("rita")
    assert response.status_code == 200
    assert keyring.COOKIE not in client.cookies


def test_it_sends_a_password_set_outside_tocsin_to_recovery(rita, monkeypatch):
    # `tocsin changepassword` is Django's: it changes the hash but cannot re-wrap the key.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a password set by the admin")
    call_command("changepassword", "rita", stdout=io.StringIO())
    client, response = log_in("rita", "a password set by the admin")
    assert response.status_code == 200
    assert "recovery key" in response.content.decode()
    assert keyring.COOKIE not in client.cookies
    assert client.get("/staff/").status_code == 302


def test_a_session_that_lost_its_key_cookie_can_log_in_again(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    old_session = client.cookies["sessionid"].value
    del client.cookies[keyring.COOKIE]  # a browser restored without its session cookies
    assert client.get(f"/staff/cases/{reference}/").status_code == 404
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "You are logged in as rita" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "rita", "password": PASSWORD})
    assert response["Location"] == "/accounts/code/"  # a fresh login asks for the code again
    assert client.cookies["sessionid"].value != old_session
    assert not Session.objects.filter(session_key=old_session).exists()
    assert client.get(f"/staff/cases/{reference}/").status_code == 302
    pass_second_factor(client, rita)
    assert client.get(f"/staff/cases/{reference}/").status_code == 200


def test_a_wrong_password_leaves_the_logged_in_session_as_it_was(rita, logged_in):
    client = logged_in(rita)
    session = client.cookies["sessionid"].value
    assert client.post("/accounts/login/", {"username": "rita", "password": "wrong"}).status_code == 200
    assert client.cookies["sessionid"].value == session
    assert client.get("/staff/").status_code == 200


def test_it_counts_nothing_about_the_client_in_the_database(rita):
    # Failed logins are audited by username only (see test_throttling.py for the rest).
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="marker-agent-0f1e")
    client.post("/accounts/login/", {"username": "rita", "password": "wrong"})
    stored = all_stored_bytes()
    assert b"203.0.113.9" not in stored and b"marker-agent-0f1e" not in stored
