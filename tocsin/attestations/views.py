"""Public pages: verify a token (no login, no JavaScript) and the certificate.

The certificate page and PDF are public to whoever has the token id, which
is 128 random bits: unguessable, and printed only on the certificate itself
(inside the QR code's token) and shown to the organisation and staff. The
page shows nothing the token does not already carry. Guessing is hopeless;
someone holding the paper certificate learns nothing new from the page."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tocsin.registry.public import public_details

from . import certificate, checks, verification
from .models import Attestation

HEADLINES = {
    verification.VALID: gettext_lazy("Valid"),
    verification.EXPIRED: gettext_lazy("Expired"),
    verification.REVOKED: gettext_lazy("Revoked"),
    verification.UNKNOWN_KEY: gettext_lazy("Unknown key"),
    verification.FORGED: gettext_lazy("Forged or damaged"),
}


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """``?token=`` (from the QR code) or a pasted token (POST) -> the answer."""
    token = request.POST.get("token", "") if request.method == "POST" else request.GET.get("token", "")
    context: dict[str, Any] = {"token": token, "result": None, "details": None, "headline": ""}
    if token.strip():
        if len(token) > verification.MAX_TOKEN_LENGTH:
            context["error"] = _("This is far too long to be an attestation token.")
            return render(request, "attestations/verify.html", context, status=400)
        result, attestation = checks.check(token)
        context["result"] = result
        context["headline"] = str(HEADLINES[result.status])
        if attestation is not None and result.status == verification.VALID:
            context["details"] = public_details(attestation.organisation)
            context["attestation"] = attestation
    elif request.method == "POST":
        context["error"] = _("Paste the token from the certificate.")
        return render(request, "attestations/verify.html", context, status=400)
    return render(request, "attestations/verify.html", context)


def _attestation(token_id: str) -> Attestation:
    attestation = (Attestation.objects.select_related("organisation", "key")
                   .filter(token_id=token_id).first())
    if attestation is None:
        raise Http404
    return attestation


@require_http_methods(["GET"])
def attestation_certificate(request: HttpRequest, token_id: str) -> HttpResponse:
    attestation = _attestation(token_id)
    return render(request, "attestations/certificate.html", certificate.context(request, attestation))


@require_http_methods(["GET"])
def attestation_certificate_pdf(request: HttpRequest, token_id: str) -> HttpResponse:
    attestation = _attestation(token_id)
    response = HttpResponse(certificate.pdf(request, attestation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="attestation-{attestation.token_id}.pdf"'
    return response
