"""What an attestation says, as signed: built from the organisation and the rule set."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from django.conf import settings

from tocsin.registry.models import Organisation

# Signed in English, word for word: a police officer may compare it with the
# licence text; the certificate shows it in the local language too.
SCOPE = ("Software installed on the organisation's computers and on staff home computers used for "
         "its work, regardless of origin.")


def new_token_id() -> str:
    """128 random bits in lowercase base32 (26 characters): unguessable."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def issuer() -> str:
    return str(getattr(settings, "ATTESTATION_ISSUER", "") or "Tocsin")


def identifiers(organisation: Organisation) -> dict[str, str]:
    found = {str(scheme): str(value) for scheme, value in (organisation.identifiers or {}).items() if value}
    if organisation.inn:
        found["inn"] = organisation.inn
    if organisation.ogrn:
        found["ogrn"] = organisation.ogrn
    return found


def build(organisation: Organisation, *, token_id: str, key_id: str, valid_from: dt.date,
          valid_until: dt.date, rules_version: str, issued_at: dt.datetime) -> dict[str, Any]:
    return {
        "token_id": token_id,
        "key_id": key_id,
        "issuer": issuer(),
        "issued_at": issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organisation": {
            "ref": organisation.ref,
            "name": organisation.name,
            "name_en": organisation.name_en,
            "kind": organisation.kind,
            "country": organisation.country,
            "identifiers": identifiers(organisation),
        },
        "scope": SCOPE,
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
        "rules": rules_version,
    }
