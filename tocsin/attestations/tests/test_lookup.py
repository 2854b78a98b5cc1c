"""The hand-built read of a check gives exactly what the ORM's select_related gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tocsin.attestations import actions, lookup
from tocsin.attestations.models import Attestation


def _fields(instance, skip=()):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if f.name not in skip}


def test_it_matches_select_related(issue, organisation, adam):
    organisation.identifiers = {"bin": "123"}
    organisation.government_share = Decimal("7.50")
    organisation.not_for_profit = True
    organisation.public_fields = ["name_en", "inn"]
    organisation.sealed_contacts = b"\x00\x01sealed"
    organisation.save()
    attestation = issue()
    actions.revoke_attestation(attestation, acting_user=adam, reason="to have a timestamp")
    found = lookup.attestation_by_token_id(attestation.token_id)
    expected = Attestation.objects.select_related("organisation", "key").get(pk=attestation.pk)
    assert found is not None
    assert _fields(found, skip={"payload"}) == _fields(expected, skip={"payload"})
    assert _fields(found.key, skip={"sealed_seed"}) == _fields(expected.key, skip={"sealed_seed"})
    found_org, expected_org = _fields(found.organisation), _fields(expected.organisation)
    found_org["sealed_contacts"] = bytes(found_org["sealed_contacts"])
    expected_org["sealed_contacts"] = bytes(expected_org["sealed_contacts"])
    assert found_org == expected_org
    assert isinstance(found.revoked_at, dt.datetime) and found.revoked_at.tzinfo is not None
    assert found.organisation.identifiers == {"bin": "123"}
    assert found.organisation.government_share == Decimal("7.50")


def test_an_unknown_token_id_is_none(db):
    assert lookup.attestation_by_token_id("nope") is None
