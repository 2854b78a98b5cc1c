"""Tokens made without a database, for the pure verification tests and the bench."""

from __future__ import annotations

import datetime as dt
from typing import Any

import nacl.signing

from tocsin.attestations import verification

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def new_key() -> tuple[nacl.signing.SigningKey, verification.Key]:
    signing = nacl.signing.SigningKey.generate()
    public = bytes(signing.verify_key)
    return signing, verification.Key(verification.key_id_for(public), public)


TOKEN_ID = "abcdefghijklmnopqrstuvwxyz"


def content(key_id: str, token_id: str = TOKEN_ID, **overrides: Any) -> dict[str, Any]:
    return {
        "token_id": token_id, "key_id": key_id, "issuer": "Tocsin", "issued_at": "2026-01-01T00:00:00Z",
        "organisation": {"ref": "ORG-1", "name": "Байкальская волна", "name_en": "Baikal Wave",
                         "kind": "ngo", "country": "RU", "identifiers": {"inn": "3808017374"}},
        "scope": "Software installed ...", "valid_from": "2026-01-01", "valid_until": "2026-12-31",
        "rules": "2010", **overrides,
    }


def make(signing: nacl.signing.SigningKey, key: verification.Key, **overrides: Any) -> str:
    return verification.sign(signing, key.key_id, content(key.key_id, **overrides))
