# ruff: noqa: RUF001 -- Cyrillic names and «» quotes are the data here
"""POST /api/v1/screenings: answers, explains, records; protected opens a case and alerts."""

from __future__ import annotations

import pytest

from tocsin.accounts.models import Team
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Alert, Channel
from tocsin.audit.models import Entry
from tocsin.cases.models import Case
from tocsin.screening.actions import SCREENING_PROTECTED
from tocsin.screening.models import Screening

pytestmark = pytest.mark.django_db

PAPERWORK = {"address": "г. Москва, Каретный ряд, 5/10", "authority": "ОЭБиПК УВД по ЦАО",
             "legal_basis": "ст. 146 УК РФ", "case_reference": "12/34-2026"}


def channels() -> tuple[Channel, Channel]:
    """A channel for the routed team and one for headquarters, so alerts have somewhere to go."""
    headquarters, _ = Team.objects.get_or_create(name=Team.HEADQUARTERS)
    default = Team.objects.get(name=Team.DEFAULT)
    return (Channel.objects.create(team=default, sealed_url=channel_secrets.seal_url("json://example.org/h"),
                                   label="team"),
            Channel.objects.create(team=headquarters,
                                   sealed_url=channel_secrets.seal_url("json://example.org/hq"), label="hq"))


def test_it_answers_protected_by_inn_opens_a_case_and_alerts(rita, memorial, screen):
    team_channel, hq_channel = channels()
    response = screen({"name": "ООО «Что-то совсем другое»", "identifiers": {"inn": "7707 083893"},
                       **PAPERWORK})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "protected"
    assert body["matches"][0]["organisation"] == {"ref": "D008", "name": memorial.name,
                                                  "status": "registered"}
    assert "INN matches" in body["matches"][0]["reasons"]
    case = Case.objects.get(reference=body["case"])
    assert case.team.name == Team.DEFAULT and case.country == "RU"
    screening = Screening.objects.get(public_id=body["screening"])
    assert screening.decision == "protected" and screening.case_reference == case.reference
    alerts = Alert.objects.filter(event=SCREENING_PROTECTED)
    assert {alert.channel_id for alert in alerts} == {team_channel.pk, hq_channel.pk}
    for alert in alerts:
        text = str(alert.payload)
        assert case.reference in text and "RU" in text
        for secret in ("Мемориал", "Memorial", "Каретный", "ОЭБиПК", "146", "12/34"):
            assert secret not in text
    assert Entry.objects.filter(action="screening.protected", target=body["screening"]).exists()


def test_it_keeps_the_paperwork_only_inside_the_case(rita, memorial, screen):
    body = screen({"name": "Memorial", "identifiers": {"ogrn": "1027700132195"}, **PAPERWORK}).json()
    screening = Screening.objects.get(public_id=body["screening"])
    stored = str(screening.matches) + screening.public_id + screening.case_reference
    for value in PAPERWORK.values():
        assert value not in stored
    case = Case.objects.get(reference=body["case"])
    assert b"\xd0\x9a\xd0\xb0\xd1\x80\xd0\xb5\xd1\x82" not in bytes(case.sealed_content)  # "Карет"


def test_it_answers_protected_for_a_transliterated_name(rita, memorial, screen):
    body = screen({"name": "MOO «Mezhdunarodnoye obshchestvo Memorial»"}).json()
    assert body["decision"] == "protected"
    reasons = body["matches"][0]["reasons"]
    assert any("transliteration" in reason for reason in reasons)


def test_it_answers_review_for_a_name_with_a_different_inn(rita, memorial, screen):
    body = screen({"name": "Международное общество Мемориал", "identifiers": {"inn": "5000000000"}}).json()
    assert body["decision"] == "review"
    assert any("INN" in reason for reason in body["matches"][0]["reasons"])
    assert not Case.objects.exists()


def test_it_answers_review_for_a_likely_match(rita, memorial, screen):
    body = screen({"name": "Междунродное общество Мемориал Москва"}).json()
    assert body["decision"] == "review"
    assert body["case"] is None
    assert not Case.objects.exists()
    assert Screening.objects.get(public_id=body["screening"]).decision == "review"


def test_it_answers_clear_for_an_unrelated_company(memorial, screen):
    body = screen({"name": "ООО «НефтеХим 70»", "identifiers": {"inn": "8511296899"}}).json()
    assert body == {"screening": body["screening"], "decision": "clear", "case": None, "matches": []}
    assert Screening.objects.get(public_id=body["screening"]).decision == "clear"


def test_it_still_alerts_headquarters_when_no_team_can_read_a_case(memorial, screen):
    _team_channel, hq_channel = (None, None)
    headquarters, _ = Team.objects.get_or_create(name=Team.HEADQUARTERS)
    hq_channel = Channel.objects.create(team=headquarters, label="hq",
                                        sealed_url=channel_secrets.seal_url("json://example.org/hq"))
    body = screen({"name": "Мемориал", "identifiers": {"inn": "7707083893"}}).json()
    assert body["decision"] == "protected" and body["case"] is None
    assert Alert.objects.filter(event=SCREENING_PROTECTED, channel=hq_channel).exists()


def test_it_sees_a_registry_change_at_the_next_screening(memorial, screen):
    assert screen({"name": "Правовая инициатива"}).json()["decision"] == "clear"
    memorial.name = "Автономная некоммерческая организация «Правовая инициатива»"
    memorial.save()
    assert screen({"name": "Pravovaya initsiativa"}).json()["decision"] == "protected"


def test_it_refuses_without_a_token(memorial):
    from django.test import Client
    response = Client().post("/api/v1/screenings", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert not Screening.objects.exists()


def test_it_refuses_an_unknown_token(memorial, screen):
    response = screen({"name": "Мемориал"}, token="tocsin_nottherealtokenatall")
    assert response.status_code == 401
    assert not Screening.objects.exists()


def test_it_refuses_a_revoked_token(memorial, screen, screening_token):
    from django.utils import timezone

    from tocsin.tokens.models import ApiToken
    ApiToken.objects.update(revoked_at=timezone.now())
    assert screen({"name": "Мемориал"}).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 5}, "name"),
    ({"name": ["Мемориал"]}, "name"),
    ({"name": "x" * 501}, "name"),
    ({"name": "Мемориал", "address": "x" * 1001}, "address"),
    ({"name": "Мемориал", "authority": 7}, "authority"),
    ({"name": "Мемориал", "legal_basis": "x" * 2001}, "legal_basis"),
    ({"name": "Мемориал", "case_reference": {"a": 1}}, "case_reference"),
    ({"name": "Мемориал", "identifiers": "7707083893"}, "identifiers"),
    ({"name": "Мемориал", "identifiers": {"inn": 7707083893}}, "identifiers.inn"),
    ({"name": "Мемориал", "identifiers": {"inn": "1" * 65}}, "identifiers.inn"),
    ({"name": "Мемориал", "identifiers": {f"k{i}": "1" for i in range(11)}}, "identifiers"),
    ({"name": "Мемориал", "colour": "red"}, "colour"),
    ([], "__all__"),
])
def test_it_refuses_bad_input_naming_the_field(rita, memorial, screen, body, field):
    response = screen(body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Screening.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b'{"name": ' + b'1' * 5000 + b'}', b"[" * 100_000])
def test_it_refuses_malformed_json(rita, memorial, screen, raw):
    response = screen(raw)
    assert response.status_code == 400
    assert "__all__" in response.json()["errors"]
    assert not Screening.objects.exists()


def test_it_refuses_another_content_type(memorial, screen):
    response = screen(b"name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert not Screening.objects.exists()


def test_it_matches_other_countries_identifiers_exactly(rita, screen):
    from tocsin.registry.models import Organisation
    Organisation.objects.create(ref="KZ1", kind="ngo", country="KZ", name="ОО «Адилет»",
                                identifiers={"bin": "123456789012"})
    body = screen({"name": "ТОО «Совсем другое»", "identifiers": {"BIN": "1234 5678 9012"}}).json()
    assert body["decision"] == "protected"
    assert body["matches"][0]["reasons"][0] == "Identifier bin matches"
    assert screen({"name": "ТОО «Совсем другое»", "identifiers": {"bin": "123456789013"}}).json()[
        "decision"] == "clear"
