"""The people and helpers of enrolment's tests.

- ``vera``: a reviewer (holds ``enrolment.review_application``), no team;
- ``rita`` (a responder of ``default``) may vouch but not review;
- ``olga``: logged in, neither a reviewer nor in any team: an outsider;
- an anonymous visitor is a plain ``Client()``.

``apply(**overrides)`` posts a valid application (an NGO in Russia with a
PDF certificate) through the public page and returns its receipt and
reference. Coverage is extended to 2030 here, as an operator would with
``COVERAGE_UNTIL``: the 2010 rules alone cover nobody today."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tocsin.accounts.models import User
from tocsin.conftest import PASSWORD
from tocsin.intake.tests.test_browser import tiny_pdf

VALID_INN = "7707083893"
VALID_OGRN = "1027700132195"

VALID_APPLICATION: dict[str, Any] = {
    "kind": "ngo",
    "name": "Байкальская экологическая волна",
    "name_en": "Baikal Environmental Wave",
    "country": "RU",
    "inn": VALID_INN,
    "ogrn": VALID_OGRN,
    "government_share": "5",
    "not_for_profit": "yes",
    "community_mission": "on",
    "mission": "Protecting Lake Baikal with the people who live around it.",
    "address": "Irkutsk, Lenina 1",
    "contact_kind": "email",
    "contact": "office@baikalwave.example",
    "public_fields": ["name_en", "inn"],
    "registry_link": "https://egrul.nalog.ru/example",
}


def pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf("registration certificate"), content_type="application/pdf")


@pytest.fixture(autouse=True)
def coverage_until_2030(settings: Any) -> None:
    settings.COVERAGE_UNTIL = "2030-12-31"


@pytest.fixture
def vera(db: None) -> User:
    user = User.objects.create_user("vera", password=PASSWORD)
    user.user_permissions.add(
        Permission.objects.get(codename="review_application", content_type__app_label="enrolment")
    )
    return user


@pytest.fixture
def olga(db: None) -> User:
    return User.objects.create_user("olga", password=PASSWORD)


def post_application(
    client: Client | None = None, files: dict[str, Any] | None = None, **overrides: Any
) -> Any:
    body = {**VALID_APPLICATION, **overrides}
    body = {key: value for key, value in body.items() if value is not None}
    body.update(files if files is not None else {"certificate": pdf()})
    return (client or Client()).post("/enrol/", body)


def receipt_of(response: Any) -> tuple[str, str]:
    text = response.content.decode()
    receipt = re.search(r'id="receipt">([\d-]+)<', text)
    reference = re.search(r'id="reference">([A-Z0-9-]+)<', text)
    assert receipt and reference, text
    return receipt.group(1), reference.group(1)


@pytest.fixture
def apply(db: None) -> Callable[..., tuple[str, str]]:
    def submit(**overrides: Any) -> tuple[str, str]:
        response = post_application(**overrides)
        assert response.status_code == 201, response.content.decode()[-3000:]
        return receipt_of(response)

    return submit


@pytest.fixture
def approved(apply: Callable[..., tuple[str, str]], vera: User) -> Callable[..., tuple[str, Any]]:
    """Apply and approve; returns (receipt, attestation)."""
    from tocsin.enrolment import actions
    from tocsin.enrolment.models import Application

    def run(**overrides: Any) -> tuple[str, Any]:
        receipt, reference = apply(**overrides)
        application = Application.objects.get(reference=reference)
        return receipt, actions.approve(application, acting_user=vera, reason="Registry entry checked.")

    return run
