"""/verify/: no login, no JavaScript; the QR's ?token= or a pasted token gets a plain answer."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from tocsin.attestations import actions
from tocsin.attestations.models import Verification


def test_the_empty_page_has_a_form_and_records_nothing(db):
    response = Client().get("/verify/")
    assert response.status_code == 200
    assert b'name="token"' in response.content
    assert b"<script" not in response.content
    assert not Verification.objects.exists()


def test_the_qr_link_answers_valid_with_the_public_details(issue):
    attestation = issue()
    response = Client().get(f"/verify/?token={quote(attestation.token)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid"' in html
    assert "Байкальская экологическая волна" in html
    assert "3808017374" in html and "1023801003313" not in html  # OGRN is not public
    assert "<script" not in html
    assert Verification.objects.count() == 1


def test_a_pasted_token_is_checked(issue):
    attestation = issue()
    client = Client(enforce_csrf_checks=False)
    response = client.post("/verify/", {"token": f"  {attestation.token}\n"})
    assert response.status_code == 200
    assert 'data-status="valid"' in response.content.decode()


def test_revoked_says_revoked_and_shows_no_details(issue, adam):
    attestation = issue()
    actions.revoke_attestation(attestation, acting_user=adam, reason="test")
    html = Client().get(f"/verify/?token={quote(attestation.token)}").content.decode()
    assert 'data-status="revoked"' in html
    assert "Байкальская" not in html


@pytest.mark.parametrize("token", ["nonsense", "v1.a.b.c", "v1." + "A" * 3000])
def test_broken_tokens_say_forged(db, token):
    response = Client().get(f"/verify/?token={quote(token)}")
    assert response.status_code == 200
    assert 'data-status="forged"' in response.content.decode()


def test_far_too_long_is_400_naming_the_token(db):
    response = Client().post("/verify/", {"token": "v1." + "A" * 9000})
    assert response.status_code == 400
    assert b'id="token-error"' in response.content
    assert not Verification.objects.exists()


def test_an_empty_paste_is_400(db):
    response = Client().post("/verify/", {"token": "   "})
    assert response.status_code == 400
    assert b'id="token-error"' in response.content
