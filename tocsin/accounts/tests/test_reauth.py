"""/accounts/reauth/: password and a fresh code again, before granting or exporting."""

import time

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from tocsin.accounts import reauth
from tocsin.accounts.tests.helpers import half_logged_in
from tocsin.audit.models import Entry
from tocsin.conftest import PASSWORD, authenticator, current_code

pytestmark = pytest.mark.django_db


def next_code(user) -> str:
    """The code the app shows in the next 30-second step: the current one was
    spent on logging in, and a spent code is refused."""
    return current_code(authenticator(user), at=time.time() + 30)


def confirm(client: Client, user, *, password: str = PASSWORD, code: str | None = None, next_url: str = ""):
    return client.post("/accounts/reauth/", {
        "password": password, "code": next_code(user) if code is None else code, "next": next_url,
    })


def authenticated_at(client: Client) -> float | None:
    return client.session.get(reauth.SESSION_FIELD)


def age(client: Client, seconds: float) -> None:
    session = client.session
    session[reauth.SESSION_FIELD] = time.time() - seconds
    session.save()


def is_recent(client: Client) -> bool:
    request = RequestFactory().get("/")
    request.session = client.session
    return reauth.is_recent(request)


def test_it_shows_the_form(rita, logged_in):
    response = logged_in(rita).get("/accounts/reauth/?next=/staff/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="password"' in content and 'name="code"' in content
    assert 'name="next" value="/staff/"' in content


def test_logging_in_counts_as_proving_who_you_are(rita, logged_in):
    assert is_recent(logged_in(rita))


def test_it_renews_the_proof_and_goes_on(rita, logged_in):
    client = logged_in(rita)
    age(client, settings.REAUTH_SECONDS + 1)
    assert not is_recent(client)
    response = confirm(client, rita, next_url="/staff/cases/X/grants/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/cases/X/grants/"
    assert is_recent(client)
    entry = Entry.objects.get(action="reauth")
    assert (entry.actor, entry.target) == (rita, "rita")


@pytest.mark.parametrize("elsewhere", ["https://evil.example/grab", "//evil.example/", "http://testserver.evil/",
                                       "javascript:alert(1)", "\\\\evil.example"])
def test_it_refuses_an_off_site_next(rita, logged_in, elsewhere):
    client = logged_in(rita)
    response = confirm(client, rita, next_url=elsewhere)
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_it_refuses_a_wrong_password(rita, logged_in):
    client = logged_in(rita)
    age(client, settings.REAUTH_SECONDS + 1)
    before = authenticated_at(client)
    response = confirm(client, rita, password="not my password")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_password-errors"' in content and "Password: This password is not right." in content
    assert authenticated_at(client) == before
    assert not Entry.objects.filter(action="reauth").exists()
    assert Entry.objects.get(action="login.failed").detail == {"step": "reauth"}


def test_it_refuses_a_wrong_code(rita, logged_in):
    client = logged_in(rita)
    age(client, settings.REAUTH_SECONDS + 1)
    before = authenticated_at(client)
    wrong = f"{(int(next_code(rita)) + 1) % 1_000_000:06d}"
    response = confirm(client, rita, code=wrong)
    assert response.status_code == 400
    assert 'id="id_code-errors"' in response.content.decode()
    assert authenticated_at(client) == before
    assert Entry.objects.get(action="otp.failed").detail == {"step": "reauth"}


def test_it_refuses_the_code_spent_on_logging_in(rita):
    client = half_logged_in(rita)
    code = current_code(authenticator(rita))
    assert client.post("/accounts/code/", {"code": code}).status_code == 302
    age(client, settings.REAUTH_SECONDS + 1)
    response = confirm(client, rita, code=code)
    assert response.status_code == 400
    assert not is_recent(client)


@pytest.mark.parametrize("fields", [{}, {"password": PASSWORD}, {"code": "123456"},
                                    {"password": PASSWORD, "code": "12345x"}])
def test_it_names_what_is_missing_or_malformed(rita, logged_in, fields):
    client = logged_in(rita)
    response = client.post("/accounts/reauth/", fields)
    assert response.status_code == 400
    content = response.content.decode()
    for field in {"password", "code"} - {name for name, value in fields.items() if value != "12345x"}:
        assert f'id="id_{field}-errors"' in content
    assert not Entry.objects.filter(action__in=["reauth", "login.failed", "otp.failed"]).exists()


def test_it_is_throttled_like_the_login(rita, logged_in):
    client = logged_in(rita)
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME):
        confirm(client, rita, password="not my password")
    assert confirm(client, rita).status_code == 429


def test_it_sends_an_anonymous_visitor_to_log_in(db):
    response = Client().get("/accounts/reauth/")
    assert response["Location"].startswith("/accounts/login/")


def test_it_sends_a_half_logged_in_session_to_the_code_step(rita):
    client = half_logged_in(rita)
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "code": next_code(rita)})
    assert response["Location"] == "/accounts/code/"
    assert not Entry.objects.filter(action="reauth").exists()


def test_a_sensitive_view_sends_a_stale_session_here_and_lets_a_fresh_one_through(rita, logged_in):
    @reauth.recent_auth_required
    def grant(request: HttpRequest) -> HttpResponse:
        return HttpResponse("granted")

    client = logged_in(rita)
    request = RequestFactory().get("/staff/cases/X/grants/")
    request.session = client.session
    assert grant(request).content == b"granted"
    age(client, settings.REAUTH_SECONDS + 1)
    request.session = client.session
    response = grant(request)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauth/?next=%2Fstaff%2Fcases%2FX%2Fgrants%2F"
