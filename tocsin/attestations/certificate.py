"""The printable certificate: an HTML page and a PDF, in the local language and English.

Both carry a QR code of the address ``/verify/?token=<compact token>`` on
this server, and the signing key's id and fingerprint, so an officer can
check it with a phone, and a judge can compare the fingerprint with the
published keys. The local language is chosen by the organisation's country;
Russian is the common language of the programme's countries and the default
(Chinese, Malay and Vietnamese certificates need fonts and translations the
project does not have yet)."""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from fpdf import FPDF

from . import payload, verification
from .models import Attestation

# fontTools logs every glyph of every subset at INFO: not worth a log line per PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
# Country -> the certificate's local language. Anything else: Russian.
LOCAL_LANGUAGES: dict[str, str] = {}
DEFAULT_LOCAL = "ru"

# Marked for translation here; signed in English (payload.SCOPE).
gettext_noop("Software installed on the organisation's computers and on staff home computers used for "
             "its work, regardless of origin.")


def local_language(country: str) -> str:
    return LOCAL_LANGUAGES.get(country.upper(), DEFAULT_LOCAL)


def verify_url(attestation: Attestation) -> str:
    return f"{settings.BASE_URL}{reverse('verify')}?{urlencode({'token': attestation.token})}"


def _qr_image(url: str) -> Any:
    return qrcode.make(url, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)


def qr_svg_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = io.BytesIO()
    image.save(svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def text(attestation: Attestation, language: str) -> dict[str, str]:
    """The certificate's words in ``language``."""
    content = attestation.payload
    org = content["organisation"]
    ids = ", ".join(f"{scheme.upper()} {value}" for scheme, value in sorted(org["identifiers"].items()))
    with translation.override(language):
        return {
            "title": _("Certificate of licence coverage"),
            "statement": _("%(issuer)s attests that the organisation below is covered by the licence "
                           "programme (rule set %(rules)s) from %(from)s until %(until)s inclusive.")
            % {"issuer": content["issuer"], "rules": content["rules"], "from": content["valid_from"],
               "until": content["valid_until"]},
            "organisation_label": _("Organisation"),
            "organisation": org["name"] if language != "en" or not org["name_en"] else org["name_en"],
            "identifiers_label": _("Identifiers"),
            "identifiers": ids or "—",
            "country_label": _("Country"),
            "scope_label": _("Scope"),
            "scope": _(payload.SCOPE),
            "check_label": _("Check it: scan the code, or open %(url)s and enter the token.")
            % {"url": f"{settings.BASE_URL}{reverse('verify')}"},
            "key_label": _("Signing key"),
        }


def context(request: HttpRequest, attestation: Attestation) -> dict[str, Any]:
    local = local_language(attestation.organisation.country)
    url = verify_url(attestation)
    return {
        "attestation": attestation,
        "local": text(attestation, local),
        "local_language": local,
        "english": text(attestation, "en"),
        "verify_url": url,
        "qr": qr_svg_data_uri(url),
        "key_id": attestation.key.key_id,
        "fingerprint": verification.fingerprint(bytes(attestation.key.public_key)),
        "revoked": attestation.revoked_at is not None,
    }


def pdf(request: HttpRequest | None, attestation: Attestation, *, compress: bool = True) -> bytes:
    """The certificate as an A4 PDF; ``compress=False`` leaves its text readable
    in the bytes (tests look for the fingerprint)."""
    local = local_language(attestation.organisation.country)
    url = verify_url(attestation)
    fingerprint = verification.fingerprint(bytes(attestation.key.public_key))
    document = FPDF(format="A4")
    document.set_compression(compress)
    document.set_title(f"Attestation {attestation.organisation.ref}")
    document.set_subject(f"Signing key {attestation.key.key_id}: {fingerprint}")
    document.set_creator("Tocsin")
    document.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    document.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    document.set_auto_page_break(auto=True, margin=12)
    document.add_page()
    width = document.epw
    for language in (local, "en") if local != "en" else ("en",):
        words = text(attestation, language)
        document.set_font("DejaVu", "B", 15)
        document.multi_cell(width, 8, words["title"], new_x="LMARGIN", new_y="NEXT")
        document.set_font("DejaVu", "", 10)
        document.multi_cell(width, 5, words["statement"], new_x="LMARGIN", new_y="NEXT")
        document.ln(1)
        for label, value in (("organisation_label", "organisation"), ("identifiers_label", "identifiers"),
                             ("scope_label", "scope")):
            document.set_font("DejaVu", "B", 10)
            document.multi_cell(width, 5, words[label], new_x="LMARGIN", new_y="NEXT")
            document.set_font("DejaVu", "", 10)
            document.multi_cell(width, 5, words[value], new_x="LMARGIN", new_y="NEXT")
        document.set_font("DejaVu", "", 10)
        document.multi_cell(width, 5, f"{words['country_label']}: {attestation.organisation.country}",
                            new_x="LMARGIN", new_y="NEXT")
        document.ln(4)
    document.image(_qr_image(url).get_image(), w=70)
    document.set_font("DejaVu", "", 8)
    document.multi_cell(width, 4, words["check_label"], new_x="LMARGIN", new_y="NEXT")
    document.set_font("DejaVu", "B", 9)
    document.multi_cell(width, 5, f"{words['key_label']}: {attestation.key.key_id}", new_x="LMARGIN",
                        new_y="NEXT")
    document.set_font("DejaVu", "", 9)
    document.multi_cell(width, 5, fingerprint, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
