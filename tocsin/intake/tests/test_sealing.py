"""Encryption at rest: a seized database holds triage metadata in the clear
and everything else sealed to the case's readers and to the receipt."""

from __future__ import annotations

import pytest

from tocsin.cases.models import Case
from tocsin.crypto import boxes, receipts

from .conftest import case_key_for

SENSITIVE = {
    "narrative": "Officers arrived at 10:00 and took every computer.",
    "locality": "Irkutsk",
    "perpetrator_name": "Economic crimes unit",
    "items_seized_kind": "laptops",
    "organisation": "Baikal Environmental Wave",
    "contact_kind": "signal",
    "contact": "+7 912 345 67 89",
}


def plain_columns(case: Case) -> str:
    """Every column of the case that is not a sealed blob, as text."""
    return " ".join(str(getattr(case, field.attname)) for field in Case._meta.concrete_fields
                    if field.get_internal_type() != "BinaryField")


def test_it_keeps_triage_metadata_in_plain_columns(rita, report):
    _receipt, reference = report()
    case = Case.objects.get(reference=reference)
    assert case.act_types == ["raid", "seizure"]
    assert (case.occurred_on, case.occurred_precision) == ("2026-03-15", "day")
    assert case.country == "RU"
    assert case.perpetrator_type == "police"
    assert case.company == "Microsoft"
    assert case.items_seized_count == 4
    assert case.status == "new"


def test_it_keeps_sensitive_fields_out_of_plain_columns(rita, report):
    _receipt, reference = report()
    case = Case.objects.get(reference=reference)
    columns = plain_columns(case)
    for name, value in SENSITIVE.items():
        if name != "contact_kind":
            assert value not in columns, name
            assert value.encode() not in bytes(case.sealed_content), name


def test_it_seals_the_sensitive_fields_to_the_responders(rita, report):
    _receipt, reference = report()
    case = Case.objects.get(reference=reference)
    content = boxes.decrypt_json(case_key_for(rita, case), bytes(case.sealed_content), bound_to=reference)
    assert content == SENSITIVE


def test_it_seals_the_same_key_to_the_receipt(rita, report):
    receipt, reference = report()
    case = Case.objects.get(reference=reference)
    key = boxes.unseal(bytes(case.receipt_sealed_key), receipts.private_key(receipt))
    assert key == case_key_for(rita, case)
    assert boxes.decrypt_json(key, bytes(case.sealed_content), bound_to=reference) == SENSITIVE


def test_it_opens_nothing_for_another_receipt(rita, report):
    _receipt, reference = report()
    other_receipt, _other = report()
    case = Case.objects.get(reference=reference)
    with pytest.raises(boxes.DecryptionError):
        boxes.unseal(bytes(case.receipt_sealed_key), receipts.private_key(other_receipt))


def test_it_binds_the_sealed_content_to_its_case(rita, report):
    _receipt, first = report()
    _receipt, second = report(narrative="Another raid.")
    one, other = Case.objects.get(reference=first), Case.objects.get(reference=second)
    with pytest.raises(boxes.DecryptionError):
        boxes.decrypt_json(case_key_for(rita, one), bytes(other.sealed_content), bound_to=first)


def test_it_keeps_the_receipt_only_as_derived_values(rita, report):
    receipt, reference = report()
    case = Case.objects.get(reference=reference)
    digits = receipt.replace("-", "")
    assert case.receipt_tag == receipts.lookup_tag(receipt).hex()
    assert digits not in case.receipt_tag and receipt not in plain_columns(case)
    assert bytes(case.receipt_public_key) == receipts.public_key(receipt)


def test_it_puts_the_reporters_contact_only_inside_the_sealed_content(rita, report):
    _receipt, reference = report(contact={"kind": "email", "value": "wave@example.org"})
    case = Case.objects.get(reference=reference)
    assert "wave@example.org" not in plain_columns(case)
    content = boxes.decrypt_json(case_key_for(rita, case), bytes(case.sealed_content), bound_to=reference)
    assert (content["contact_kind"], content["contact"]) == ("email", "wave@example.org")
