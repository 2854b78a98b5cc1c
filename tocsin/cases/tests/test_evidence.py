"""/staff/cases/<ref>/evidence/<id>/: the original file, decrypted, as a download."""

import hashlib
from typing import Any

import pytest
from django.test import Client

from tocsin.accounts.tests.helpers import private_key_of
from tocsin.audit.models import Entry
from tocsin.cases.models import CaseKey, CustodyEntry
from tocsin.cases.tests.conftest import EVIDENCE
from tocsin.conftest import PASSWORD
from tocsin.crypto import boxes
from tocsin.intake.evidence import evidence_path

pytestmark = pytest.mark.django_db


def download(client: Client, reference: str, evidence_id: str) -> tuple[Any, bytes]:
    """The response and everything it streamed, read to the end as a browser would."""
    response: Any = client.get(f"/staff/cases/{reference}/evidence/{evidence_id}/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_it_returns_the_original_bytes(rita, logged_in, file_report):
    filed = file_report()
    response, body = download(logged_in(rita), filed.reference, filed.evidence_id)
    assert response.status_code == 200
    assert body == EVIDENCE
    assert response["Content-Length"] == str(len(EVIDENCE))


def test_it_is_a_download_never_shown_in_the_browser(rita, logged_in, file_report):
    filed = file_report()
    response, _ = download(logged_in(rita), filed.reference, filed.evidence_id)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="protocol.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_a_non_ascii_file_name(rita, logged_in, file_report):
    filed = file_report(name="протокол обыска.txt")
    response, _ = download(logged_in(rita), filed.reference, filed.evidence_id)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%BF%D1%80%D0%BE%D1%82%D0%BE%D0%BA%D0%BE%D0%BB%20"
        "%D0%BE%D0%B1%D1%8B%D1%81%D0%BA%D0%B0.txt"
    )


def test_it_stores_the_file_encrypted(rita, file_report):
    filed = file_report()
    stored = evidence_path(filed.evidence_id).read_bytes()
    assert EVIDENCE[:40] not in stored
    assert len(stored) > len(EVIDENCE)


def test_it_logs_every_download_and_adds_it_to_the_chain_of_custody(rita, lena, logged_in, file_report):
    filed = file_report()
    download(logged_in(rita), filed.reference, filed.evidence_id)
    download(logged_in(lena), filed.reference, filed.evidence_id)
    entries = Entry.objects.filter(action="evidence.opened")
    assert [(e.actor.username, e.target, e.detail) for e in entries] == [
        ("rita", filed.reference, {"evidence": filed.evidence_id}),
        ("lena", filed.reference, {"evidence": filed.evidence_id}),
    ]
    custody = CustodyEntry.objects.filter(evidence__public_id=filed.evidence_id)
    assert [(c.action, c.actor and c.actor.username) for c in custody] == [
        (CustodyEntry.Action.RECEIVED, None),
        (CustodyEntry.Action.OPENED, "rita"),
        (CustodyEntry.Action.OPENED, "lena"),
    ]


def test_the_first_custody_entry_holds_the_hash_of_the_original(rita, logged_in, file_report):
    filed = file_report()
    sealed = CaseKey.objects.get(case__reference=filed.reference, user=rita).sealed_key
    case_key = boxes.unseal(bytes(sealed), private_key_of(rita, PASSWORD))
    received = CustodyEntry.objects.get(evidence__public_id=filed.evidence_id,
                                        action=CustodyEntry.Action.RECEIVED)
    detail = boxes.decrypt_json(case_key, bytes(received.sealed_detail), bound_to=filed.evidence_id)
    assert detail == {"sha256": hashlib.sha256(EVIDENCE).hexdigest()}


def test_it_answers_not_found_for_evidence_of_another_case(rita, logged_in, file_report):
    first, second = file_report(), file_report()
    response, _ = download(logged_in(rita), first.reference, second.evidence_id)
    assert response.status_code == 404
    assert not CustodyEntry.objects.filter(action=CustodyEntry.Action.OPENED).exists()


@pytest.mark.parametrize("evidence_id", ["0" * 32, "", "..", "%2e%2e"])
def test_it_answers_not_found_for_missing_evidence(rita, logged_in, file_report, evidence_id):
    filed = file_report()
    response, _ = download(logged_in(rita), filed.reference, evidence_id)
    assert response.status_code == 404


def test_it_never_delivers_an_altered_file(rita, logged_in, file_report):
    filed = file_report()
    path = evidence_path(filed.evidence_id)
    stored = bytearray(path.read_bytes())
    stored[-5] ^= 0x01  # inside the last frame
    path.write_bytes(bytes(stored))
    response = logged_in(rita).get(f"/staff/cases/{filed.reference}/evidence/{filed.evidence_id}/")
    received = bytearray()
    with pytest.raises(boxes.DecryptionError):
        for chunk in response.streaming_content:
            received += chunk
    response.close()
    assert len(received) < len(EVIDENCE)
    assert EVIDENCE.startswith(bytes(received))
