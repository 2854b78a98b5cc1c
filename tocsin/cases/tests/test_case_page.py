"""/staff/cases/<ref>/: the case decrypted in the responder's session, and the reading logged."""

import hashlib

import pytest

from tocsin.audit.log import verify
from tocsin.audit.models import Entry
from tocsin.cases.models import Case
from tocsin.cases.tests.conftest import EVIDENCE

pytestmark = pytest.mark.django_db


def test_it_shows_the_case_decrypted(rita, logged_in, report):
    _, reference = report()
    response = logged_in(rita).get(f"/staff/cases/{reference}/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in ["took every computer", "Baikal Environmental Wave", "Irkutsk",
                 "Economic crimes unit", "+7 912 345 67 89", "laptops", "Microsoft"]:
        assert text in content


def test_it_stores_the_sealed_fields_encrypted(rita, report):
    _, reference = report()
    sealed = bytes(Case.objects.get(reference=reference).sealed_content)
    assert b"took every computer" not in sealed
    assert b"Baikal" not in sealed


def test_it_escapes_markup_from_the_reporter(rita, logged_in, report):
    _, reference = report(narrative='<script>alert("x")</script><b>bold</b>',
                          organisation="<img src=x onerror=alert(1)>")
    content = logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert "<img src=x" not in content


def test_it_logs_every_opening(rita, lena, logged_in, report):
    _, reference = report()
    logged_in(rita).get(f"/staff/cases/{reference}/")
    logged_in(rita).get(f"/staff/cases/{reference}/")
    logged_in(lena).get(f"/staff/cases/{reference}/")
    openings = Entry.objects.filter(action="case.opened", target=reference)
    assert [entry.actor.username for entry in openings] == ["rita", "rita", "lena"]
    assert verify() is None


def test_it_is_never_cached(rita, logged_in, report):
    _, reference = report()
    response = logged_in(rita).get(f"/staff/cases/{reference}/")
    assert "no-store" in response["Cache-Control"]


def test_it_shows_the_evidence_with_its_hash(rita, logged_in, file_report):
    filed = file_report()
    content = logged_in(rita).get(f"/staff/cases/{filed.reference}/").content.decode()
    assert "protocol.txt" in content
    assert hashlib.sha256(EVIDENCE).hexdigest() in content
    assert f"/staff/cases/{filed.reference}/evidence/{filed.evidence_id}/" in content


def test_it_refuses_a_case_altered_on_disk_and_records_it(rita, logged_in, report, caplog):
    _, reference = report()
    sealed = bytearray(Case.objects.get(reference=reference).sealed_content)
    sealed[40] ^= 1  # one bit, as an attacker with the database would change it
    Case.objects.filter(reference=reference).update(sealed_content=bytes(sealed))
    response = logged_in(rita).get(f"/staff/cases/{reference}/")
    assert response.status_code == 409
    content = response.content.decode()
    assert "failed their integrity check" in content
    assert "took every computer" not in content
    assert Entry.objects.filter(action="case.integrity_failed", target=reference, actor=rita).exists()
    assert not Entry.objects.filter(action="case.opened", target=reference).exists()
    assert f"case {reference}: stored ciphertext failed its integrity check" in caplog.text
