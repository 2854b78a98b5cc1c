"""/accounts/code/: the code from the authenticator app, after the password."""

import time

import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory

from tocsin.accounts import reauth
from tocsin.accounts.tests.helpers import (
    age_password_step,
    device_state,
    enter_code,
    half_logged_in,
    password_only,
)
from tocsin.audit.models import Entry
from tocsin.conftest import authenticator, current_code

pytestmark = pytest.mark.django_db


def is_verified(client: Client) -> bool:
    return client.get("/staff/").status_code == 200


def test_it_shows_the_form(rita):
    response = half_logged_in(rita).get("/accounts/code/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="code"' in content
    assert 'autocomplete="one-time-code"' in content
    assert "no-store" in response["Cache-Control"]


def test_it_completes_the_login_with_the_current_code(rita):
    client = half_logged_in(rita)
    response = enter_code(client, current_code(authenticator(rita)))
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert is_verified(client)


def test_it_takes_the_code_as_people_type_it(rita):
    client = half_logged_in(rita)
    code = current_code(authenticator(rita))
    assert enter_code(client, f" {code[:3]} {code[3:]} ").status_code == 302


def test_it_goes_where_the_responder_was_going(rita):
    client = half_logged_in(rita)
    response = enter_code(client, current_code(authenticator(rita)), next="/staff/cases/X/")
    assert response["Location"] == "/staff/cases/X/"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_it_never_sends_the_responder_off_site(rita, elsewhere):
    client = half_logged_in(rita)
    response = enter_code(client, current_code(authenticator(rita)), next=elsewhere)
    assert response["Location"] == "/staff/"


def test_it_gives_the_session_a_new_id_and_a_fresh_authentication_time(rita):
    client = half_logged_in(rita)
    before = client.cookies["sessionid"].value
    enter_code(client, current_code(authenticator(rita)))
    assert client.cookies["sessionid"].value != before
    assert reauth.is_recent(_request_with(client))


def _request_with(client: Client) -> HttpRequest:
    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_it_refuses_a_wrong_code_and_changes_nothing(rita):
    client = half_logged_in(rita)
    device = authenticator(rita)
    before = device_state(device)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_code-errors"' in content
    assert "Code from your authenticator app: This code is not right" in content
    assert device_state(device) == before
    assert not is_verified(client)
    assert not Entry.objects.filter(action="login").exists()
    failed = Entry.objects.get(action="otp.failed")
    assert (failed.actor, failed.target, failed.detail) == (rita, "rita", {"step": "login"})


def test_the_right_code_still_works_after_a_typo(rita):
    # No lock-out that refuses even the right code a second after a mistake.
    client = half_logged_in(rita)
    device = authenticator(rita)
    enter_code(client, f"{(int(current_code(device)) + 1) % 1_000_000:06d}")
    assert enter_code(client, current_code(device)).status_code == 302


def test_it_refuses_a_replayed_code(rita):
    device = authenticator(rita)
    code = current_code(device)
    first = half_logged_in(rita)
    assert enter_code(first, code).status_code == 302
    # Someone who saw the code over the responder's shoulder, with the password too.
    second = half_logged_in(rita)
    response = enter_code(second, code)
    assert response.status_code == 400
    assert "used already" in response.content.decode()
    assert not is_verified(second)
    assert is_verified(first)
    assert Entry.objects.filter(action="login").count() == 1


@pytest.mark.parametrize("offset", [-120, -3600, 120, 3600], ids=["2-min-old", "hour-old", "2-min-ahead",
                                                                   "hour-ahead"])
def test_it_refuses_a_code_from_another_time(rita, offset):
    client = half_logged_in(rita)
    device = authenticator(rita)
    before = device_state(device)
    stale = current_code(device, at=time.time() + offset)
    if stale in {current_code(device, at=time.time() + step) for step in (-30, 0, 30)}:
        pytest.skip("the other time's code happens to equal one of the current window's")
    response = enter_code(client, stale)
    assert response.status_code == 400
    assert device_state(device) == before
    assert not is_verified(client)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12345\x00", "١٢٣٤٥٦", "1" * 40])
def test_it_explains_a_malformed_code_without_counting_it(rita, code):
    client = half_logged_in(rita)
    response = enter_code(client, code)
    assert response.status_code == 400
    assert 'id="id_code-errors"' in response.content.decode()
    assert not Entry.objects.filter(action="otp.failed").exists()
    assert not is_verified(client)


def test_it_sends_an_anonymous_visitor_to_log_in(db):
    response = Client().get("/accounts/code/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = Client().post("/accounts/code/", {"code": "123456"})
    assert response["Location"].startswith("/accounts/login/")


def test_it_sends_an_account_without_an_app_to_set_one_up(rita):
    client, _ = password_only("rita")
    response = client.get("/accounts/code/?next=/staff/")
    assert response["Location"] == "/accounts/enrol/?next=%2Fstaff%2F"


def test_it_sends_a_verified_responder_on(rita, logged_in):
    response = logged_in(rita).get("/accounts/code/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_a_session_left_at_the_code_step_starts_again(rita, report):
    # A laptop left at the code page: whoever finds it later needs the password again.
    client = half_logged_in(rita)
    age_password_step(client, 16 * 60)
    response = enter_code(client, current_code(authenticator(rita)))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")  # logged out
    assert not Entry.objects.filter(action="login").exists()


def test_a_password_step_within_the_window_is_enough(rita):
    client = half_logged_in(rita)
    age_password_step(client, 14 * 60)
    assert enter_code(client, current_code(authenticator(rita))).status_code == 302


def test_it_only_answers_get_and_post(rita):
    assert half_logged_in(rita).put("/accounts/code/").status_code == 405
