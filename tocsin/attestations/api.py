"""Verification for machines: the answer for a token, the public keys, the signed revocation list.

None of these needs a login: checking a certificate must be as easy for a
court's clerk as for a police officer's phone. A token that is broken in any
way gets an answer (``forged``, ``unknown_key`` ...), never an error; only a
request that carries no token, or something far too long to be one, is
refused with 400 naming ``token``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from . import actions, checks, keys, offline, verification
from .models import Attestation, SigningKey
from .views import public_details

router = Router(tags=["attestations"])


def _refuse(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": _("The token was not checked."), "errors": {"token": [message]}},
                        status=status)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


@router.get("/attestations/verify", url_name="attestation_verify", summary="Verify an attestation token",
            description="`?token=` the compact token from the certificate's QR code. Answers `status`: "
                        "valid, expired, revoked, unknown_key or forged; `organisation`: its public "
                        "details when valid. Each check is recorded (never who checked) and alerts the "
                        "organisation and the issuer.",
            openapi_extra={"responses": {"400": {"description": "No token, or far too long: `errors` "
                                                                "names `token`."}}})
def verify(request: HttpRequest) -> JsonResponse:
    tokens = request.GET.getlist("token")
    if len(tokens) > 1:
        return _refuse(_("Give one token."))
    token = tokens[0] if tokens else ""
    if not token.strip():
        return _refuse(_("Required: the token from the certificate."))
    if len(token) > verification.MAX_TOKEN_LENGTH:
        return _refuse(_("Far too long to be an attestation token."))
    result, attestation = checks.check(token)
    body: dict[str, Any] = {"status": result.status, "reason": result.reason, "organisation": None}
    if attestation is not None and result.payload is not None:
        body.update(token_id=attestation.token_id, key_id=result.payload["key_id"],
                    valid_from=result.payload["valid_from"], valid_until=result.payload["valid_until"],
                    rules=result.payload["rules"])
        if result.status == verification.VALID:
            body["organisation"] = public_details(attestation.organisation)
    return JsonResponse(body)


@router.get("/attestations/keys", url_name="attestation_keys", summary="Public signing keys",
            description="Every key that ever signed, with its id, public key (base64url), and when it "
                        "was created, retired (signs no more, still verifies) or revoked (compromised).")
def public_keys(request: HttpRequest) -> JsonResponse:
    rows = [{
        "key_id": key.key_id,
        "public_key": verification.b64encode(bytes(key.public_key)),
        "fingerprint": verification.fingerprint(bytes(key.public_key)),
        "created_at": _iso(key.created_at),
        "retired_at": _iso(key.retired_at),
        "revoked_at": _iso(key.revoked_at),
        "revoked_reason": key.revoked_reason,
    } for key in SigningKey.objects.order_by("created_at")]
    return JsonResponse({"algorithm": "Ed25519", "keys": rows})


@router.get("/attestations/revocations", url_name="attestation_revocations",
            summary="Signed revocation list",
            description="`document`: base64url of canonical JSON {issued_at, key_id, revoked_tokens, "
                        "revoked_keys}; `signature`: Ed25519 by the current key over "
                        "`tocsin-revocations-v1\\0` + the document's bytes. `content` is a copy for "
                        "people; verifiers read only `document`.")
def revocations(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        key = actions.signing_key(None)
    content = {
        "issued_at": _iso(timezone.now()),
        "key_id": key.key_id,
        "revoked_tokens": sorted(Attestation.objects.filter(revoked_at__isnull=False)
                                 .values_list("token_id", flat=True)),
        "revoked_keys": sorted(SigningKey.objects.filter(revoked_at__isnull=False)
                               .values_list("key_id", flat=True)),
    }
    return JsonResponse(offline.revocations_document(content, key.key_id, keys.signer(key)))
