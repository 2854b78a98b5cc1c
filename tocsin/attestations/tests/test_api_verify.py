"""GET /api/v1/attestations/verify: an answer for every token, 400 naming `token` for no token."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from tocsin.attestations import actions, checks
from tocsin.attestations.models import Verification

URL = "/api/v1/attestations/verify"


def ask(token: str):
    return Client().get(f"{URL}?token={quote(token)}")


def test_a_valid_token_answers_valid_with_the_public_details(issue):
    attestation = issue()
    response = ask(attestation.token)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert body["organisation"]["name"] == "Байкальская экологическая волна"
    assert body["organisation"]["inn"] == "3808017374"  # listed public
    assert "ogrn" not in body["organisation"]  # not listed public
    assert body["valid_until"] == attestation.valid_until.isoformat()
    assert body["key_id"] == attestation.key.key_id
    assert Verification.objects.get().status == "valid"


def test_no_cookie_or_login_is_needed_and_nothing_about_the_asker_is_kept(issue):
    attestation = issue()
    response = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="PoliceScanner/1.0").get(
        f"{URL}?token={quote(attestation.token)}")
    assert response.status_code == 200
    row = Verification.objects.values().get()
    assert "203.0.113.9" not in str(row) and "PoliceScanner" not in str(row)


def test_revoked_and_expired_answer_without_the_details(issue, adam):
    attestation = issue(valid_until=timezone.now().date())
    actions.revoke_attestation(attestation, acting_user=adam, reason="test")
    body = ask(attestation.token).json()
    assert body["status"] == "revoked" and body["organisation"] is None


def test_an_expired_token_answers_expired(issue):
    attestation = issue(valid_until=timezone.now().date())
    result, _found = checks.check(attestation.token, now=timezone.now() + dt.timedelta(days=2))
    assert result.status == "expired"


@pytest.mark.parametrize("mangle", [
    lambda t: t[: len(t) // 2],
    lambda t: t[:-3],
    lambda t: t.replace(".", "!"),
    lambda t: "v1.0123456789abcdef." + t.split(".", 2)[2],
    lambda t: t[:40] + ("A" if t[40] != "A" else "B") + t[41:],
    lambda t: "%%%%",
    lambda t: "v1.\u0000\u202e.x.y",
])
def test_a_broken_token_gets_an_answer_not_an_error(issue, mangle):
    attestation = issue()
    response = ask(mangle(attestation.token))
    assert response.status_code == 200
    assert response.json()["status"] in {"forged", "unknown_key"}
    assert response.json()["organisation"] is None


@pytest.mark.parametrize("query", ["", "?token=", "?token=%20%20", "?other=1", "?token=a&token=b",
                                   "?token=" + "A" * 5000])
def test_no_token_or_far_too_long_is_400_naming_token(db, query):
    response = Client().get(URL + query)
    assert response.status_code == 400
    assert "token" in response.json()["errors"]
    assert not Verification.objects.exists()


def test_post_is_not_allowed(db):
    assert Client().post(URL, {"token": "x"}).status_code == 405
