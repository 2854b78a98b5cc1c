"""update_organisation and the forms that call it: a change of name, address,
kind or funding share of an enrolled organisation sets "requalify"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tocsin.alerts.models import Alert
from tocsin.alerts.tests.delivery import add_channel
from tocsin.audit.models import Entry
from tocsin.enrolment.actions import update_organisation
from tocsin.enrolment.errors import Refused
from tocsin.registry.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(approved, vera) -> Organisation:
    add_channel("json://127.0.0.1:9/", user="vera")
    _, attestation = approved()
    return Organisation.objects.get(pk=attestation.organisation_id)


REQUALIFYING: list[tuple[str, Any]] = [
    ("name", "Новое имя"),
    ("address", "Moscow, Tverskaya 2"),
    ("kind", "journalists_association"),
    ("government_share", Decimal("9.5")),
]
OTHER: list[tuple[str, Any]] = [
    ("name_en", "New English name"),
    ("mission", "Another mission."),
    ("not_for_profit", False),
    ("public_fields", ["address"]),
]


@pytest.mark.parametrize(("field", "value"), REQUALIFYING, ids=[f for f, _v in REQUALIFYING])
def test_a_requalifying_change_sets_the_flag_and_alerts_reviewers(enrolled, vera, field, value):
    changed = update_organisation(enrolled, acting_user=vera, **{field: value})
    assert changed == [field]
    enrolled.refresh_from_db()
    assert enrolled.requalify is True
    assert getattr(enrolled, field) == value
    [alert] = Alert.objects.filter(event="enrolment.requalify")
    assert alert.payload["organisation"] == enrolled.ref
    assert "Новое" not in str(alert.payload)
    entry = Entry.objects.get(action="organisation.updated", target=enrolled.ref)
    assert entry.detail["fields"] == [field] and entry.detail["requalify"] is True


@pytest.mark.parametrize(("field", "value"), OTHER, ids=[f for f, _v in OTHER])
def test_other_changes_do_not_set_it(enrolled, vera, field, value):
    assert update_organisation(enrolled, acting_user=vera, **{field: value}) == [field]
    enrolled.refresh_from_db()
    assert enrolled.requalify is False
    assert not Alert.objects.filter(event="enrolment.requalify").exists()


def test_the_same_value_is_no_change(enrolled, vera):
    assert (
        update_organisation(enrolled, acting_user=vera, name=enrolled.name, government_share=Decimal("5.0"))
        == []
    )
    enrolled.refresh_from_db()
    assert enrolled.requalify is False


def test_an_organisation_not_yet_enrolled_is_not_requalified(vera):
    organisation = Organisation.objects.create(ref="ru-1", kind="ngo", name="A", country="RU")
    update_organisation(organisation, acting_user=vera, name="B")
    organisation.refresh_from_db()
    assert organisation.name == "B" and organisation.requalify is False


def test_an_unknown_field_is_refused(enrolled, vera):
    with pytest.raises(Refused) as refused:
        update_organisation(enrolled, acting_user=vera, status="attested")
    assert refused.value.field == "status"


# -- Through the organisation's status page, with its receipt --------------------


def update_body(receipt: str, organisation: Organisation, **changes: Any) -> dict[str, Any]:
    body = {
        "receipt": receipt,
        "kind": organisation.kind,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "government_share": str(organisation.government_share),
        "not_for_profit": "yes" if organisation.not_for_profit else "no",
        "mission": organisation.mission,
        "address": organisation.address,
        "public_fields": organisation.public_fields,
    }
    body.update(changes)
    return body


def test_the_organisation_changes_its_address_with_its_receipt(approved):
    receipt, attestation = approved()
    organisation = Organisation.objects.get(pk=attestation.organisation_id)
    response = Client().post("/enrol/status/update/", update_body(receipt, organisation, address="Tomsk"))
    assert response.status_code == 200
    assert 'id="notice"' in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.address == "Tomsk" and organisation.requalify is True
    entry = Entry.objects.get(action="organisation.updated")
    assert entry.actor_id is None and entry.detail["by"] == "organisation"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "bank"),
        ("government_share", "200"),
        ("name", ""),
        ("not_for_profit", "perhaps"),
        ("mission", ""),
    ],
)
def test_the_update_form_refuses_bad_input(approved, field, value):
    receipt, attestation = approved()
    organisation = Organisation.objects.get(pk=attestation.organisation_id)
    response = Client().post("/enrol/status/update/", update_body(receipt, organisation, **{field: value}))
    assert response.status_code == 400
    assert f'class="field invalid" id="field-{field}"' in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.requalify is False
    assert not Entry.objects.filter(action="organisation.updated").exists()


def test_a_pending_application_cannot_update(apply):
    receipt, reference = apply()
    organisation = Organisation.objects.get(ref=reference)
    response = Client().post("/enrol/status/update/", update_body(receipt, organisation, address="Tomsk"))
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.address != "Tomsk"


def test_a_wrong_receipt_cannot_update(approved):
    _, attestation = approved()
    organisation = Organisation.objects.get(pk=attestation.organisation_id)
    response = Client().post(
        "/enrol/status/update/", update_body("11111-11111-11111-11111-11111", organisation, address="Tomsk")
    )
    assert response.status_code == 404
    organisation.refresh_from_db()
    assert organisation.address != "Tomsk"


# -- Through the reviewers' organisation page --------------------------------------


def test_a_reviewer_changes_the_kind(enrolled, vera, logged_in):
    client = logged_in(vera)
    body = update_body("", enrolled, kind="media")
    body.pop("receipt")
    response = client.post(f"/staff/enrolment/organisations/{enrolled.ref}/update/", body)
    assert response.status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.kind == "media" and enrolled.requalify is True
    assert enrolled.ref in client.get("/staff/enrolment/").content.decode()


def test_outsiders_cannot_see_or_change_an_organisation(enrolled, rita, olga, logged_in):
    url = f"/staff/enrolment/organisations/{enrolled.ref}/"
    for user in (rita, olga):
        client = logged_in(user)
        assert client.get(url).status_code == 404
        assert client.post(url + "update/", {"name": "X"}).status_code == 404
    assert Client().get(url).status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.name != "X"
