"""The proof vault: an enrolled organisation keeps receipts and certificates
of authenticity; it and the reviewers download them, with custody entries."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tocsin.audit.models import Entry
from tocsin.enrolment.models import VaultCustody, VaultItem
from tocsin.intake.evidence import evidence_path
from tocsin.intake.tests.test_browser import tiny_pdf
from tocsin.registry.models import Organisation

pytestmark = pytest.mark.django_db

RECEIPT_PDF = tiny_pdf("Invoice 2010-0042: Windows 7 Professional x 4")


def store(receipt: str, upload: SimpleUploadedFile | None = None, kind: str = "purchase_receipt"):
    upload = upload or SimpleUploadedFile("invoice.pdf", RECEIPT_PDF, content_type="application/pdf")
    return Client().post("/enrol/status/vault/", {"receipt": receipt, "kind": kind, "file": upload})


def test_it_stores_a_file_hashed_and_encrypted_with_a_custody_entry(approved):
    receipt, _ = approved()
    response = store(receipt)
    assert response.status_code == 201
    body = response.content.decode()
    assert "invoice.pdf" in body and hashlib.sha256(RECEIPT_PDF).hexdigest() in body
    item = VaultItem.objects.get()
    assert b"Invoice" not in evidence_path(item.public_id).read_bytes()
    [entry] = item.custody.all()
    assert entry.action == VaultCustody.Action.STORED and entry.actor is None
    assert Entry.objects.filter(action="vault.stored").exists()


def test_the_organisation_downloads_its_file_byte_for_byte(approved):
    receipt, _ = approved()
    store(receipt)
    item = VaultItem.objects.get()
    response = Client().post(f"/enrol/status/vault/{item.public_id}/", {"receipt": receipt})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == RECEIPT_PDF
    actions = list(item.custody.values_list("action", flat=True))
    assert actions == ["stored", "downloaded_by_organisation"]
    # The organisation's own reading is not traced in the audit log.
    assert not Entry.objects.filter(action="vault.opened").exists()


def test_a_reviewer_downloads_it_audited_and_the_organisation_sees_who(approved, vera, logged_in):
    receipt, attestation = approved()
    store(receipt)
    item = VaultItem.objects.get()
    ref = Organisation.objects.get(pk=attestation.organisation_id).ref
    client = logged_in(vera)
    assert "invoice.pdf" in client.get(f"/staff/enrolment/organisations/{ref}/").content.decode()
    response = client.get(f"/staff/enrolment/organisations/{ref}/vault/{item.public_id}/")
    assert b"".join(response.streaming_content) == RECEIPT_PDF
    assert Entry.objects.filter(action="vault.opened", actor_id=vera.pk, target=ref).exists()
    body = Client().post("/enrol/status/", {"receipt": receipt}).content.decode()
    assert "Downloaded by a reviewer (vera)" in body


def test_outsiders_cannot_download(approved, rita, olga, logged_in):
    receipt, attestation = approved()
    store(receipt)
    item = VaultItem.objects.get()
    ref = Organisation.objects.get(pk=attestation.organisation_id).ref
    url = f"/staff/enrolment/organisations/{ref}/vault/{item.public_id}/"
    assert logged_in(rita).get(url).status_code == 404
    assert logged_in(olga).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert (
        Client()
        .post(f"/enrol/status/vault/{item.public_id}/", {"receipt": "22222-22222-22222-22222-22222"})
        .status_code
        == 404
    )
    assert item.custody.count() == 1


def test_another_organisation_cannot_download(approved, apply):
    receipt, _ = approved()
    store(receipt)
    item = VaultItem.objects.get()
    other_receipt, _ = approved(name="Другая", inn="", ogrn="")
    assert (
        Client().post(f"/enrol/status/vault/{item.public_id}/", {"receipt": other_receipt}).status_code == 404
    )


def test_a_pending_application_has_no_vault(apply):
    receipt, _ = apply()
    assert store(receipt).status_code == 403
    assert not VaultItem.objects.exists()


def stored_files() -> set[Path]:
    return set(Path(settings.MEDIA_ROOT).rglob("*.enc"))


@pytest.mark.parametrize(
    ("case", "upload", "kind", "field"),
    [
        ("no file", None, "purchase_receipt", "file"),
        ("unknown kind", "pdf", "bribe", "kind"),
        (
            "text named pdf",
            SimpleUploadedFile("x.pdf", b"plain words", content_type="application/pdf"),
            "purchase_receipt",
            "file",
        ),
        (
            "zip",
            SimpleUploadedFile("x.pdf", b"PK\x03\x04" + b"\x00" * 100, content_type="application/pdf"),
            "authenticity",
            "file",
        ),
    ],
)
def test_it_refuses_bad_input(approved, case, upload, kind, field):
    receipt, _ = approved()
    before = stored_files()
    body = {"receipt": receipt, "kind": kind}
    if upload == "pdf":
        body["file"] = SimpleUploadedFile("x.pdf", RECEIPT_PDF, content_type="application/pdf")
    elif upload is not None:
        body["file"] = upload
    response = Client().post("/enrol/status/vault/", body)
    assert response.status_code == 400, case
    assert f'class="field invalid" id="field-{field}"' in response.content.decode()
    assert not VaultItem.objects.exists() and stored_files() == before


def test_it_refuses_an_oversize_file(approved, settings):
    receipt, _ = approved()
    settings.MAX_FILE_BYTES = 1000
    response = store(
        receipt, SimpleUploadedFile("big.pdf", RECEIPT_PDF + b"%" * 5000, content_type="application/pdf")
    )
    assert response.status_code == 413
    assert not VaultItem.objects.exists()


def test_it_refuses_a_path_like_name(approved):
    from tocsin.intake.tests.conftest import Upload, multipart

    receipt, _ = approved()
    body, content_type = multipart(
        {"receipt": receipt, "kind": "licence"},
        [Upload("../../x.pdf", RECEIPT_PDF, "application/pdf", field="file")],
    )
    response = Client().post("/enrol/status/vault/", body, content_type=content_type)
    assert response.status_code == 400
    assert re.search("folders", response.content.decode())
    assert not VaultItem.objects.exists()
