"""POST /enrol/: an organisation applies with its details, a contact and evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tocsin.alerts.models import Alert
from tocsin.alerts.tests.delivery import add_channel
from tocsin.audit.models import Entry
from tocsin.crypto import boxes
from tocsin.enrolment import receipts, sealing
from tocsin.enrolment.models import Application, EvidenceFile
from tocsin.intake.evidence import evidence_path
from tocsin.intake.tests.test_browser import tiny_pdf
from tocsin.registry.models import Organisation

from .conftest import VALID_APPLICATION, VALID_INN, pdf, post_application, receipt_of

pytestmark = pytest.mark.django_db


def stored_files() -> set[Path]:
    return (
        {path for path in Path(settings.MEDIA_ROOT).rglob("*.enc")}
        if Path(settings.MEDIA_ROOT).exists()
        else set()
    )


def test_it_shows_the_form_without_login():
    response = Client().get("/enrol/")
    assert response.status_code == 200
    assert 'name="government_share"' in response.content.decode()


def test_it_shows_the_form_in_russian():
    response = Client(headers={"accept-language": "ru"}).get("/enrol/")
    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()


def test_it_stores_the_application_and_shows_the_receipt_once(apply):
    receipt, reference = apply()
    application = Application.objects.get(reference=reference)
    assert application.status == Application.Status.PENDING
    assert application.receipt_tag == receipts.lookup_tag(receipt)
    assert receipt not in str(Application.objects.values().get(pk=application.pk))
    assert application.details["inn"] == VALID_INN
    assert application.details["government_share"] == "5"
    assert application.details["public_fields"] == ["inn", "name_en"]


def test_it_creates_the_registry_entry_when_none_matches(apply):
    _, reference = apply()
    organisation = Application.objects.get(reference=reference).organisation
    assert organisation.ref == reference
    assert organisation.status == Organisation.Status.REGISTERED
    assert organisation.name == "Байкальская экологическая волна"
    assert organisation.inn == VALID_INN


def test_it_links_an_existing_organisation_by_reference(apply):
    existing = Organisation.objects.create(ref="ru-0042", kind="ngo", name="Old name", country="RU")
    _, reference = apply(organisation_ref="ru-0042", inn="", ogrn="")
    assert Application.objects.get(reference=reference).organisation == existing
    assert Organisation.objects.count() == 1


def test_it_links_an_existing_organisation_by_inn(apply):
    existing = Organisation.objects.create(
        ref="ru-0043", kind="ngo", name="Old name", country="RU", inn=VALID_INN
    )
    _, reference = apply(ogrn="")
    assert Application.objects.get(reference=reference).organisation == existing


def test_it_encrypts_the_contact_and_the_evidence(apply):
    _, reference = apply()
    application = Application.objects.get(reference=reference)
    assert b"baikalwave" not in bytes(application.sealed_contact)
    assert sealing.open_sealed(application.sealed_contact, bound_to=reference) == {
        "kind": "email",
        "value": "office@baikalwave.example",
    }
    [item] = EvidenceFile.objects.filter(application=application)
    assert item.kind == EvidenceFile.Kind.CERTIFICATE
    meta = sealing.open_sealed(item.sealed_meta, bound_to=item.public_id)
    assert meta["name"] == "certificate.pdf" and meta["mime"] == "application/pdf"
    on_disk = evidence_path(item.public_id).read_bytes()
    assert b"registration certificate" not in on_disk
    with evidence_path(item.public_id).open("rb") as source:
        plain = b"".join(
            boxes.decrypt_stream(bytes.fromhex(meta["file_key"]), source, bound_to=item.public_id)
        )
    assert plain == tiny_pdf("registration certificate")
    import hashlib

    assert meta["sha256"] == hashlib.sha256(plain).hexdigest()


def test_it_alerts_the_reviewers_without_naming_the_group(apply, vera):
    add_channel("json://127.0.0.1:9/", user="vera")
    _, reference = apply()
    [alert] = Alert.objects.filter(event="enrolment.application_received")
    assert alert.reference == reference
    assert "Байкал" not in str(alert.payload) and "baikal" not in str(alert.payload).lower()
    assert alert.payload["link"].endswith(f"/staff/enrolment/{reference}/")


def test_it_audits_the_application(apply):
    _, reference = apply()
    assert Entry.objects.filter(action="enrolment.applied", target=reference).exists()


def test_an_informal_group_may_apply_without_evidence(apply):
    _, reference = apply(kind="informal_group", inn="", ogrn="", registry_link="", files={})
    assert Application.objects.get(reference=reference).evidence.count() == 0


def test_it_accepts_every_kind_of_evidence(apply):
    files = {
        name: pdf(f"{name}.pdf")
        for name in ("registry_extract", "certificate", "gazette", "governing_documents")
    }
    _, reference = apply(files=files)
    kinds = set(EvidenceFile.objects.filter(application__reference=reference).values_list("kind", flat=True))
    assert kinds == {"registry_extract", "certificate", "gazette", "governing_documents"}


# -- Bad input: a 4xx naming the field, nothing stored -------------------------


def text_file(name: str, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"just some text pretending", content_type=content_type)


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("name", {"name": ""}, "name"),
    ("kind missing", {"kind": ""}, "kind"),
    ("kind unknown", {"kind": "company"}, "kind"),
    ("country unknown", {"country": "QQ"}, "country"),
    ("inn check digits", {"inn": "7707083894"}, "inn"),
    ("inn letters", {"inn": "77O7083893"}, "inn"),
    ("inn length", {"inn": "770708389"}, "inn"),
    ("ogrn check digit", {"ogrn": "1027700132196"}, "ogrn"),
    ("inn outside Russia", {"country": "KZ"}, "inn"),
    ("unknown registry reference", {"organisation_ref": "nope-1"}, "organisation_ref"),
    ("share over 100", {"government_share": "101"}, "government_share"),
    ("share negative", {"government_share": "-1"}, "government_share"),
    ("share not a number", {"government_share": "a lot"}, "government_share"),
    ("share missing", {"government_share": ""}, "government_share"),
    ("not-for-profit missing", {"not_for_profit": ""}, "not_for_profit"),
    ("not-for-profit other", {"not_for_profit": "maybe"}, "not_for_profit"),
    ("mission missing", {"mission": ""}, "mission"),
    ("contact missing", {"contact": ""}, "contact"),
    ("contact kind unknown", {"contact_kind": "pigeon"}, "contact_kind"),
    ("email invalid", {"contact": "not an email"}, "contact"),
    ("phone invalid", {"contact_kind": "signal", "contact": "12"}, "contact"),
    ("public field unknown", {"public_fields": ["contact"]}, "public_fields"),
    ("registry link not a URL", {"registry_link": "javascript:alert(1)"}, "registry_link"),
    ("identifiers malformed", {"other_identifiers": "just a number"}, "other_identifiers"),
    ("control characters", {"name": "Wave\x00"}, "name"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD, ids=[case for case, _o, _f in BAD])
def test_it_refuses_bad_fields(case, overrides, field):
    before = stored_files()
    response = post_application(**overrides)
    assert response.status_code == 400, case
    assert f'id="field-{field}"' in response.content.decode()
    assert 'class="field invalid" id="field-' + field in response.content.decode()
    assert Application.objects.count() == 0 and Organisation.objects.count() == 0
    assert stored_files() == before


FILE_CASES = [
    ("text named pdf", {"certificate": text_file("certificate.pdf")}, "certificate"),
    (
        "pdf named jpg",
        {"gazette": SimpleUploadedFile("scan.jpg", tiny_pdf("x"), content_type="image/jpeg")},
        "gazette",
    ),
    (
        "executable",
        {
            "governing_documents": SimpleUploadedFile(
                "charter.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
            )
        },
        "governing_documents",
    ),
    (
        "empty file",
        {"registry_extract": SimpleUploadedFile("extract.pdf", b"", content_type="application/pdf")},
        "registry_extract",
    ),
]


@pytest.mark.parametrize(("case", "files", "field"), FILE_CASES, ids=[case for case, _f, _n in FILE_CASES])
def test_it_refuses_files_that_are_not_what_they_claim(case, files, field):
    before = stored_files()
    response = post_application(files=files)
    assert response.status_code == 400, case
    assert f'class="field invalid" id="field-{field}"' in response.content.decode()
    assert Application.objects.count() == 0 and EvidenceFile.objects.count() == 0
    assert stored_files() == before
    assert not any(Path(settings.UPLOAD_TEMP_DIR).glob("*.upload"))


def test_it_refuses_an_oversize_file_with_413(settings):
    settings.MAX_FILE_BYTES = 1000
    before = stored_files()
    big = SimpleUploadedFile("big.pdf", tiny_pdf("x") + b"%" * 5000, content_type="application/pdf")
    response = post_application(files={"certificate": big})
    assert response.status_code == 413
    assert 'class="field invalid" id="field-certificate"' in response.content.decode()
    assert Application.objects.count() == 0 and stored_files() == before


def test_it_asks_an_ngo_for_evidence(db):
    response = post_application(registry_link="", files={})
    assert response.status_code == 400
    assert 'class="field invalid" id="field-registry_link"' in response.content.decode()
    assert Application.objects.count() == 0


def test_a_good_file_beside_a_bad_one_is_not_kept(db):
    before = stored_files()
    response = post_application(files={"certificate": pdf(), "gazette": text_file("gazette.pdf")})
    assert response.status_code == 400
    assert stored_files() == before
    assert not any(Path(settings.UPLOAD_TEMP_DIR).glob("*.upload"))


def test_a_receipt_is_new_each_time(apply):
    first, _ = apply()
    second, _ = apply()
    assert first != second


def test_the_receipt_page_is_not_cached(db):
    response = post_application()
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    receipt, _ = receipt_of(response)
    assert len(receipt.replace("-", "")) == 25


@pytest.mark.parametrize("name", ["../../etc/cert.pdf", "..\\cert.pdf", "C:cert.pdf", ".hidden.pdf"])
def test_it_refuses_path_like_file_names(db, name):
    from tocsin.intake.tests.conftest import Upload, multipart

    before = stored_files()
    fields = {key: value for key, value in VALID_APPLICATION.items()}
    body, content_type = multipart(
        fields, [Upload(name, tiny_pdf("x"), "application/pdf", field="certificate")]
    )
    response = Client().post("/enrol/", body, content_type=content_type)
    assert response.status_code == 400
    assert 'class="field invalid" id="field-certificate"' in response.content.decode()
    assert "folders" in response.content.decode()
    assert Application.objects.count() == 0 and stored_files() == before
