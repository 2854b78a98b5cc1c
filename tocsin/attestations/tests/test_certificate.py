"""The certificate: HTML and PDF, local language and English, QR to /verify/, key fingerprint."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client

from tocsin.attestations import actions, certificate, verification


def test_the_page_is_bilingual_with_the_verify_link_and_fingerprint(issue):
    attestation = issue()
    response = Client().get(f"/attestations/{attestation.token_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="ru"' in html and 'lang="en"' in html
    assert "Байкальская экологическая волна" in html and "Baikal Environmental Wave" in html
    assert "staff home computers" in html
    fingerprint = verification.fingerprint(bytes(attestation.key.public_key))
    assert fingerprint in html and attestation.key.key_id in html
    found = re.search(r'id="verify-link" href="([^"]+)"', html)
    assert found is not None
    link = found.group(1).replace("&amp;", "&")
    assert link.startswith(f"{settings.BASE_URL}/verify/?token=")
    assert parse_qs(urlsplit(link).query)["token"] == [attestation.token]
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<script" not in html


def test_the_qr_code_is_an_svg_of_the_verify_address(issue):
    attestation = issue()
    uri = certificate.qr_svg_data_uri(certificate.verify_url(attestation))
    svg = base64.b64decode(uri.split(",", 1)[1])
    assert svg.startswith(b"<?xml") and b"<svg" in svg


def test_an_unknown_token_id_is_not_found(db):
    assert Client().get("/attestations/aaaaaaaaaaaaaaaaaaaaaaaaaa/").status_code == 404
    assert Client().get("/attestations/aaaaaaaaaaaaaaaaaaaaaaaaaa/certificate.pdf").status_code == 404


def test_a_revoked_certificate_says_so(issue, adam):
    attestation = issue()
    actions.revoke_attestation(attestation, acting_user=adam, reason="test")
    assert b'id="revoked"' in Client().get(f"/attestations/{attestation.token_id}/").content


def test_the_pdf_is_a_real_pdf_with_the_fingerprint(issue):
    attestation = issue()
    document = certificate.pdf(None, attestation, compress=False)
    assert document.startswith(b"%PDF")
    # fpdf2 writes text in an embedded subset font as glyph ids: read the
    # page's text the way a PDF reader extracts it.
    text = _text(document)
    assert verification.fingerprint(bytes(attestation.key.public_key)) in text
    assert attestation.key.key_id in text
    assert "Байкальская экологическая волна" in text
    raw = document.decode("latin-1")
    assert "/Subtype /Image" in raw  # the QR code
    # The fingerprint is in the document's properties too.
    assert f"/Subject (Signing key {attestation.key.key_id}: {text.splitlines()[-1]})" in raw


def test_the_pdf_is_served_inline(issue):
    attestation = issue()
    response = Client().get(f"/attestations/{attestation.token_id}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def _literal(text: str) -> bytes:
    """A PDF literal string's bytes, escapes undone."""
    out, i = bytearray(), 0
    escapes = {"n": 10, "r": 13, "t": 9, "b": 8, "f": 12, "(": 40, ")": 41, "\\": 92}
    while i < len(text):
        char = text[i]
        if char == "\\":
            following = text[i + 1]
            if following in escapes:
                out.append(escapes[following])
                i += 2
                continue
            octal = re.match(r"[0-7]{1,3}", text[i + 1:])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            i += 1
            continue
        out.append(ord(char))
        i += 1
    return bytes(out)


def _text(document: bytes) -> str:
    """The text a PDF reader extracts from the uncompressed PDF: two-byte glyph
    ids in each shown string, mapped back through the ToUnicode CMap of the
    font selected at that point (regular and bold each have their own)."""
    raw = document.decode("latin-1")
    objects = {int(number): body for number, body in re.findall(r"(\d+) 0 obj(.*?)endobj", raw, re.S)}

    def cmap(font_object: int) -> dict[int, str]:
        found = re.search(r"/ToUnicode (\d+) 0 R", objects[font_object])
        assert found is not None
        unicode_object = int(found.group(1))
        return {int(glyph, 16): bytes.fromhex(code).decode("utf-16-be")
                for block in re.findall(r"beginbfchar(.*?)endbfchar", objects[unicode_object], re.S)
                for glyph, code in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)}

    fonts = {name: cmap(int(number)) for name, number in re.findall(r"/(F\d+) (\d+) 0 R", raw)}
    lines, mapping = [], {}
    for font, shown in re.findall(r"/(F\d+) [\d.]+ Tf|\(((?:[^()\\]|\\.)*)\)\s*Tj", raw, re.S):
        if font:
            mapping = fonts[font]
            continue
        data = _literal(shown)
        lines.append("".join(mapping.get(int.from_bytes(data[i:i + 2], "big"), "?")
                             for i in range(0, len(data) - 1, 2)))
    return "\n".join(lines)
