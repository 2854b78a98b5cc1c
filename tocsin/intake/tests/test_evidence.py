"""Evidence files: hashed at upload, stored encrypted, named only inside the
sealed part, and returned byte for byte to a responder."""

from __future__ import annotations

import hashlib
import secrets

import pytest
from django.conf import settings

from tocsin.cases.models import Case, CustodyEntry
from tocsin.crypto import boxes
from tocsin.intake.evidence import evidence_path

from .conftest import ELF, JPEG, PDF, PNG, TEXT, ZIP, Upload, case_key_for, database_dump, files_under


def sent(channel, *uploads: Upload) -> Case:
    response = channel.send(files=list(uploads))
    assert response.status_code == 201, response.content
    return Case.objects.latest("received_at")


def a_photo() -> bytes:
    # Larger than one 64 KiB encryption frame, and unique, so it cannot match by chance.
    return PNG + secrets.token_bytes(200_000)


def test_it_records_the_sha256_of_the_original_as_the_first_custody_entry(rita, channel):
    photo = a_photo()
    case = sent(channel, Upload("door.png", photo, "image/png"))
    item = case.evidence.get()
    first = item.custody.order_by("at", "id").first()
    assert first.action == CustodyEntry.Action.RECEIVED and first.actor is None
    detail = boxes.decrypt_json(case_key_for(rita, case), bytes(first.sealed_detail), bound_to=item.public_id)
    assert detail == {"sha256": hashlib.sha256(photo).hexdigest()}
    assert hashlib.sha256(photo).hexdigest().encode() not in database_dump()


def test_it_stores_the_file_encrypted(rita, channel):
    photo = a_photo()
    case = sent(channel, Upload("door.png", photo, "image/png"))
    stored = evidence_path(case.evidence.get().public_id).read_bytes()
    assert photo[8:40] not in stored and photo[-32:] not in stored
    assert len(stored) > len(photo)
    assert files_under(settings.UPLOAD_TEMP_DIR) == []
    assert files_under(settings.MEDIA_ROOT) == [evidence_path(case.evidence.get().public_id)]


def test_it_keeps_the_original_name_only_inside_the_sealed_metadata(rita, channel):
    name = f"protocol-{secrets.token_hex(6)}.pdf"
    case = sent(channel, Upload(name, PDF, "application/pdf"))
    item = case.evidence.get()
    assert name.encode() not in database_dump()
    assert all(name not in str(path) for path in files_under(settings.MEDIA_ROOT))
    meta = boxes.decrypt_json(case_key_for(rita, case), bytes(item.sealed_meta), bound_to=item.public_id)
    assert (meta["name"], meta["mime"], meta["size"]) == (name, "application/pdf", len(PDF))


def test_it_gives_a_responder_the_original_bytes(rita, channel, logged_in):
    photo, text = a_photo(), TEXT * 100
    case = sent(channel, Upload("door.png", photo, "image/png"), Upload("протокол.txt", text, "text/plain"))
    responder = logged_in(rita)
    page = responder.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "door.png" in page and "протокол.txt" in page
    downloads = []
    for item in case.evidence.order_by("id"):
        response = responder.get(f"/staff/cases/{case.reference}/evidence/{item.public_id}/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"] == "application/octet-stream"
        downloads.append(b"".join(response.streaming_content))
        assert item.custody.filter(action=CustodyEntry.Action.OPENED, actor=rita).exists()
    assert downloads == [photo, text]


def test_it_gives_no_file_to_a_responder_of_another_team(rita, bora, channel, logged_in):
    case = sent(channel, Upload("warrant.pdf", PDF, "application/pdf"))
    item = case.evidence.get()
    response = logged_in(bora).get(f"/staff/cases/{case.reference}/evidence/{item.public_id}/")
    assert response.status_code == 404


@pytest.mark.parametrize(("content", "name", "content_type"), [
    (PDF, "warrant.pdf", "application/pdf"),
    (PDF, "warrant.PDF", "application/pdf; charset=binary"),
    (PNG, "door.png", "application/octet-stream"),
    (JPEG, "door.jpg", "image/jpeg"),
    (JPEG, "door", ""),
    (TEXT, "protocol.txt", "text/plain; charset=utf-8"),
    (TEXT, "protocol.txt", "text/markdown"),
], ids=["pdf", "upper-case extension", "unlabelled png", "jpeg", "no extension", "utf-8 text",
        "text labelled markdown"])
def test_it_accepts_allowed_types_judged_by_content(content, name, content_type, rita, channel):
    case = sent(channel, Upload(name, content, content_type))
    assert case.evidence.count() == 1


REFUSED = {
    "an executable": (Upload("tool", ELF), "is not a type we accept"),
    "an executable named as a PDF": (Upload("warrant.pdf", ELF, "application/pdf"),
                                     "is not a type we accept"),
    "a zip archive": (Upload("photos.zip", ZIP, "application/zip"), "is not a type we accept"),
    "a zip named as a PDF": (Upload("warrant.pdf", ZIP, "application/pdf"), "is not a type we accept"),
    "binary without a type": (Upload("data.bin", b"\x00\x01\x02\x03" * 64), "is not a type we accept"),
    "a PDF named as a photo": (Upload("door.png", PDF, "image/png"), "its content is another"),
    "a PNG labelled as a PDF": (Upload("door.png", PNG, "application/pdf"), "its content is another"),
    "text named as a PDF": (Upload("warrant.pdf", TEXT, "application/pdf"), "its content is another"),
    "a JPEG named .exe": (Upload("door.exe", JPEG, "image/jpeg"), "its content is another"),
    "an empty file": (Upload("empty.pdf", b"", "application/pdf"), "is empty"),
    "a parent folder": (Upload("../x.pdf", PDF, "application/pdf"), "must not contain folders"),
    "an absolute path": (Upload("/etc/x.pdf", PDF, "application/pdf"), "must not contain folders"),
    "a Windows path": (Upload("C:\\x\\y.pdf", PDF, "application/pdf"), "must not contain folders"),
    "a Windows parent": (Upload("..\\y.pdf", PDF, "application/pdf"), "must not contain folders"),
    "a drive letter": (Upload("C:y.pdf", PDF, "application/pdf"), "must not contain folders"),
    "an encoded slash": (Upload("..&#x2F;x.pdf", PDF, "application/pdf"), "must not contain folders"),
    "a hidden name": (Upload(".htaccess", TEXT, "text/plain"), "must not contain folders"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_it_refuses_a_file_by_name_with_the_reason(name, rita, channel, nothing_stored):
    upload, reason = REFUSED[name]
    response = channel.send(files=[upload, Upload("fine.pdf", PDF, "application/pdf")])
    assert response.status_code == 400
    errors = channel.errors(response)
    assert list(errors) == ["files"]
    assert len(errors["files"]) == 1, errors  # the fine file is not blamed
    assert reason in errors["files"][0]
    nothing_stored()


def test_it_never_uses_the_name_as_a_path(rita, channel, nothing_stored):
    channel.send(files=[Upload("../../../../escaped.pdf", PDF, "application/pdf")])
    data_dir = settings.DATA_DIR
    assert not list(data_dir.parent.glob("escaped.pdf")) and not list(data_dir.rglob("escaped.pdf"))
    nothing_stored()


def test_a_file_survives_a_retry_when_the_team_changed_meanwhile(rita, channel, monkeypatch):
    """An administrator adds a responder between routing and storing: the report
    is routed and sealed again, and its file, already moved into the store, is
    kept for that second attempt -- stored once, readable by the newcomer too."""
    from tocsin.conftest import make_responder
    from tocsin.intake import actions

    real_route = actions.route
    calls: list[bool] = []

    def route_then_change_the_team(country: str, *, fresh: bool):
        routed = real_route(country, fresh=fresh)
        if not calls:
            make_responder("nina", "default")  # a real change: the directory version moves
        calls.append(fresh)
        return routed

    monkeypatch.setattr(actions, "route", route_then_change_the_team)
    photo = a_photo()
    case = sent(channel, Upload("door.png", photo, "image/png"))
    assert calls == [False, True]  # stale once, then routed from a fresh copy
    item = case.evidence.get()
    assert files_under(settings.MEDIA_ROOT) == [evidence_path(item.public_id)]
    nina = case.keys.get(user__username="nina").user
    meta = boxes.decrypt_json(case_key_for(nina, case), bytes(item.sealed_meta), bound_to=item.public_id)
    assert meta["sha256"] == hashlib.sha256(photo).hexdigest()
