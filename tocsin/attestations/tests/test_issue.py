"""issue_attestation: the signed payload, the first key, the organisation's status, the audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tocsin.attestations import actions, keys, verification
from tocsin.attestations.errors import Refused
from tocsin.attestations.models import Attestation, SigningKey
from tocsin.audit.models import Entry
from tocsin.registry.eligibility import current_rules
from tocsin.registry.models import Organisation

from .conftest import COVERAGE_UNTIL


def test_it_signs_the_canonical_payload(issue, organisation, adam):
    attestation = issue()
    payload = attestation.payload
    assert payload["organisation"] == {
        "ref": "ORG-1", "name": "Байкальская экологическая волна", "name_en": "Baikal Environmental Wave",
        "kind": "ngo", "country": "RU", "identifiers": {"inn": "3808017374", "ogrn": "1023801003313"},
    }
    assert "staff home computers" in payload["scope"] and "regardless of origin" in payload["scope"]
    assert payload["valid_from"] == timezone.now().date().isoformat()
    assert payload["valid_until"] == COVERAGE_UNTIL
    assert payload["rules"] == current_rules().version
    assert payload["issuer"] == "Tocsin"
    assert payload["key_id"] == attestation.key.key_id
    assert payload["token_id"] == attestation.token_id
    keys_now = keys.verifying_keys()
    result = verification.verify_token(attestation.token, keys_now, verification.Revocations(),
                                       timezone.now())
    assert result.status == "valid" and result.payload == payload


def test_other_identifiers_are_signed_too(issue, organisation):
    organisation.identifiers = {"bin": "123456789012"}
    organisation.save()
    assert issue().payload["organisation"]["identifiers"]["bin"] == "123456789012"


def test_token_ids_are_128_random_bits(issue):
    first, second = issue(), issue()
    assert first.token_id != second.token_id
    assert len(first.token_id) == 26  # base32 of 16 bytes


def test_the_first_issue_makes_the_first_key_and_later_ones_reuse_it(issue):
    assert not SigningKey.objects.exists()
    first = issue()
    assert SigningKey.objects.count() == 1
    assert issue().key == first.key
    assert Entry.objects.filter(action="attestation.key_created").count() == 1


def test_the_organisation_becomes_attested(issue, organisation):
    issue()
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ATTESTED


def test_it_is_audited_with_the_issuer(issue, adam):
    attestation = issue()
    entry = Entry.objects.get(action="attestation.issued")
    assert entry.actor == adam and entry.target == "ORG-1"
    assert entry.detail["token_id"] == attestation.token_id
    assert attestation.issued_by == adam


def test_valid_until_may_be_given(issue):
    until = timezone.now().date() + dt.timedelta(days=30)
    attestation = issue(valid_until=until)
    assert attestation.valid_until == until and attestation.payload["valid_until"] == until.isoformat()


def test_it_refuses_an_end_before_today_and_stores_nothing(issue, organisation, settings):
    with pytest.raises(Refused) as refused:
        issue(valid_until=timezone.now().date() - dt.timedelta(days=1))
    assert refused.value.field == "valid_until"
    settings.COVERAGE_UNTIL = ""  # the 2010 rule set ended in 2012
    with pytest.raises(Refused, match="2012-01-01"):
        issue()
    assert not Attestation.objects.exists()
    assert not SigningKey.objects.exists()
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ENROLLED
    assert not Entry.objects.filter(action__startswith="attestation.").exists()


def test_the_private_seed_is_sealed_at_rest(issue):
    key = issue().key
    seed = bytes(keys.signer(key))
    assert seed not in bytes(key.sealed_seed)
    assert len(bytes(key.sealed_seed)) == 32 + 40  # seed + secretbox nonce and tag


def test_an_attestation_needs_no_logged_in_user(organisation):
    attestation = actions.issue_attestation(organisation, acting_user=None)
    assert attestation.issued_by is None
    assert Entry.objects.get(action="attestation.issued").actor is None
