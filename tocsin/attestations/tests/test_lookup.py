"""The hand-built read of a check gives exactly what the ORM's select_related gives,
for the fields it reads; the others are deferred, never wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tocsin.attestations import actions, lookup
from tocsin.attestations.models import Attestation
from tocsin.registry.models import Organisation


def _fields(instance, skip=()):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if f.name not in skip}


def _loaded(instance):
    """The fields read (not deferred), with their values, without loading any."""
    deferred = instance.get_deferred_fields()
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if f.attname not in deferred}


def _part(model):
    return next(fields for _alias, part, fields in lookup.PARTS if part is model)


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
    for got, want in ((found, expected), (found.key, expected.key),
                      (found.organisation, expected.organisation)):
        loaded = _loaded(got)
        assert set(loaded) == {got._meta.get_field(name).attname for name in _part(type(got))}
        assert loaded == {name: getattr(want, name) for name in loaded}
    assert isinstance(found.revoked_at, dt.datetime) and found.revoked_at.tzinfo is not None
    assert found.organisation.identifiers == {"bin": "123"}
    # Deferred fields are still right when read, at the cost of a query.
    assert found.organisation.government_share == Decimal("7.50")
    assert _fields(found, skip={"payload"}) == _fields(expected, skip={"payload"})


def test_it_reads_what_public_details_may_show(db):
    from tocsin.registry.public import ALWAYS_PUBLIC, MAY_BE_PUBLIC

    assert {*ALWAYS_PUBLIC, *MAY_BE_PUBLIC, "public_fields"} <= set(_part(Organisation))


def test_an_unknown_token_id_is_none(db):
    assert lookup.attestation_by_token_id("nope") is None
