"""public_details(): name, kind and country always; anything else only if the organisation chose it."""

from __future__ import annotations

import pytest

from tocsin.registry.models import Organisation
from tocsin.registry.public import public_details

pytestmark = pytest.mark.django_db


def make(**fields) -> Organisation:
    base = {"ref": "D002", "kind": "ngo", "name": "Ассоциация «Голос»", "name_en": "Golos Association",
            "country": "RU", "inn": "9646088750", "ogrn": "1557916703717", "address": "Moscow",
            "mission": "Fair elections", "identifiers": {"other": "X1"},
            "sealed_contacts": b"sealed", "government_share": "2.5"}
    return Organisation.objects.create(**{**base, **fields})


def test_it_shows_only_name_kind_and_country_by_default():
    assert public_details(make()) == {"ref": "D002", "name": "Ассоциация «Голос»", "kind": "ngo",
                                      "kind_label": "NGO", "country": "RU"}


def test_it_adds_the_fields_the_organisation_chose():
    details = public_details(make(public_fields=["name_en", "inn", "ogrn", "address", "identifiers"]))
    assert details["name_en"] == "Golos Association"
    assert (details["inn"], details["ogrn"]) == ("9646088750", "1557916703717")
    assert details["address"] == "Moscow"
    assert details["identifiers"] == {"other": "X1"}
    assert "mission" not in details


@pytest.mark.parametrize("field", ["sealed_contacts", "government_share", "requalify", "id", "pk",
                                   "created_at", "_state"])
def test_it_never_shows_private_fields_even_if_listed(field):
    assert field not in public_details(make(public_fields=[field]))


def test_it_leaves_out_empty_chosen_fields():
    assert "name_en" not in public_details(make(name_en="", public_fields=["name_en"]))
