"""``tocsin attestation issue|revoke|key rotate|key revoke``, run as the operator."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tocsin.attestations import checks
from tocsin.attestations.models import Attestation, SigningKey
from tocsin.audit.models import Entry
from tocsin.registry.models import Organisation


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("attestation", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_issue_prints_the_token(organisation):
    token = run("issue", "--org", "ORG-1")
    attestation = Attestation.objects.get()
    assert token == attestation.token and token.startswith("v1.")
    assert checks.check(token)[0].status == "valid"
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ATTESTED
    entry = Entry.objects.get(action="attestation.issued")
    assert entry.actor is None  # the operator, not a Tocsin user


def test_issue_with_valid_until(organisation):
    run("issue", "--org", "ORG-1", "--valid-until", "2027-06-30")
    assert Attestation.objects.get().valid_until.isoformat() == "2027-06-30"


@pytest.mark.parametrize("args, named", [
    (("issue", "--org", "NOPE"), "--org"),
    (("issue", "--org", "ORG-1", "--valid-until", "30.06.2027"), "--valid-until"),
    (("issue", "--org", "ORG-1", "--valid-until", "2001-01-01"), "valid_until"),
])
def test_issue_refuses_bad_input_and_stores_nothing(organisation, args, named):
    with pytest.raises(CommandError, match=named):
        run(*args)
    assert not Attestation.objects.exists()


def test_revoke(organisation):
    token = run("issue", "--org", "ORG-1")
    attestation = Attestation.objects.get()
    assert "Revoked" in run("revoke", attestation.token_id, "--reason", "wrong organisation")
    assert checks.check(token)[0].status == "revoked"
    assert Entry.objects.get(action="attestation.revoked").detail["reason"] == "wrong organisation"


@pytest.mark.parametrize("args, named", [
    (("revoke", "nope", "--reason", "x"), "token_id"),
    (("revoke", "{token_id}", "--reason", " "), "reason"),
])
def test_revoke_refuses_bad_input(organisation, args, named):
    run("issue", "--org", "ORG-1")
    token_id = Attestation.objects.get().token_id
    with pytest.raises(CommandError, match=named):
        run(*(a.format(token_id=token_id) for a in args))
    assert Attestation.objects.get().revoked_at is None


def test_revoke_needs_a_reason(organisation):
    with pytest.raises(CommandError):
        run("revoke", "x")


def test_key_rotate_and_revoke(organisation):
    old_token = run("issue", "--org", "ORG-1")
    old = SigningKey.objects.get()
    assert "new key" in run("key", "rotate")
    new_token = run("issue", "--org", "ORG-1")
    assert checks.check(old_token)[0].status == "valid"
    output = run("key", "revoke", old.key_id, "--reason", "laptop stolen")
    assert "1 attestation" in output
    assert checks.check(old_token)[0].status == "revoked"
    assert checks.check(new_token)[0].status == "valid"
    key_entries = Entry.objects.filter(action__startswith="attestation.key_")
    assert [e.actor for e in key_entries] == [None, None, None]


def test_key_revoke_refuses_an_unknown_key(db):
    with pytest.raises(CommandError, match="key_id"):
        run("key", "revoke", "0000000000000000", "--reason", "x")


def test_the_first_key_is_made_on_first_issue(organisation):
    assert not SigningKey.objects.exists()
    run("issue", "--org", "ORG-1")
    assert SigningKey.objects.get().created_at <= timezone.now()
