"""`tocsin otp reset USERNAME`: a responder lost their phone."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts.tests.helpers import password_only
from tocsin.audit.models import Entry

pytestmark = pytest.mark.django_db


def otp(*args: str) -> str:
    out = io.StringIO()
    call_command("otp", *args, stdout=out)
    return out.getvalue()


def test_it_is_a_dry_run_unless_for_real(rita, lena, logged_in):
    client = logged_in(rita)
    logged_in(lena)
    sessions = Session.objects.count()
    output = otp("reset", "rita")
    assert "Would remove 1 authenticator device(s) of rita and end 1 session(s)" in output
    assert "--for-real" in output
    assert TOTPDevice.objects.filter(user=rita).count() == 1
    assert Session.objects.count() == sessions
    assert client.get("/staff/").status_code == 200
    assert not Entry.objects.filter(action="otp.reset").exists()


def test_it_removes_the_app_and_ends_the_sessions(rita, lena, logged_in):
    office, laptop, other = logged_in(rita), logged_in(rita), logged_in(lena)
    output = otp("reset", "rita", "--for-real")
    assert "Removed 1 authenticator device(s) of rita and ended 2 session(s)" in output
    assert not TOTPDevice.objects.filter(user=rita).exists()
    for client in (office, laptop):
        assert client.get("/staff/")["Location"].startswith("/accounts/login/")
    assert other.get("/staff/").status_code == 200
    assert TOTPDevice.objects.filter(user=lena).count() == 1


def test_the_next_login_sets_up_a_new_app(rita, logged_in):
    logged_in(rita)
    otp("reset", "rita", "--for-real")
    _, response = password_only("rita")
    assert response["Location"] == "/accounts/enrol/"


def test_it_also_removes_an_app_half_set_up(rita):
    client, _ = password_only("rita")
    client.get("/accounts/enrol/")
    otp("reset", "rita", "--for-real")
    assert not TOTPDevice.objects.exists()


def test_it_audits_the_reset(rita, logged_in):
    logged_in(rita)
    otp("reset", "rita", "--for-real")
    entry = Entry.objects.get(action="otp.reset")
    assert entry.actor is None  # an administrator at the console
    assert (entry.target, entry.detail) == ("rita", {"devices": 1, "sessions": 1})


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        otp("reset", "nobody", "--for-real")
    assert not Entry.objects.exists()


def test_it_needs_a_subcommand(db):
    with pytest.raises(CommandError):
        otp()
