"""Verifying an attestation token: a pure function, no database, no network.

The online check (``checks.py``), the API and the offline command ``tocsin
verify`` all answer through ``verify_token``; only where the keys and the
revocations come from differs (the database, or files downloaded from
``/api/v1/attestations/keys`` and ``/revocations``). Nothing here imports
Django, so the offline command runs on a laptop with no Tocsin behind it.

The token: ``v1.<key id>.<base64url(payload)>.<base64url(signature)>``.

- The payload is canonical JSON: keys sorted, no whitespace, UTF-8 (not
  ``\\u`` escapes, so Cyrillic names stay short). Canonical so that the same
  attestation always makes the same bytes; but the signature is over the
  exact bytes in the token, never a re-encoding, so a verifier never has to
  reproduce the encoding to check it.
- The signature is Ed25519 over ``DOMAIN + payload``: a signature made for
  one purpose (a revocation list, say) cannot be replayed as another.
- The key id is the first 8 bytes of BLAKE2b-256 of the public key, in hex:
  short enough to print, and anyone holding the public key can recompute it.

JSON rather than CBOR: the standard library reads it, a human can read the
decoded payload, and the size difference is a few per cent once base64 is
added -- well within what a QR code holds.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import nacl.exceptions
import nacl.signing

VERSION = "v1"
DOMAIN = b"tocsin-attestation-v1\x00"
REVOCATIONS_DOMAIN = b"tocsin-revocations-v1\x00"
# A real token is well under 2 KB; anything far bigger is not one of ours and
# is refused before any decoding work.
MAX_TOKEN_LENGTH = 4096
SIGNATURE_BYTES = 64

VALID, EXPIRED, REVOKED, UNKNOWN_KEY, FORGED = "valid", "expired", "revoked", "unknown_key", "forged"
STATUSES = (VALID, EXPIRED, REVOKED, UNKNOWN_KEY, FORGED)


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict base64url without padding: only the URL-safe alphabet, and only
    the one canonical spelling of the bytes (unused trailing bits zero), so
    no two different strings decode to the same bytes."""
    if not isinstance(text, str) or _B64.fullmatch(text) is None:
        raise ValueError("not base64url")
    spare = _SPARE_BITS[len(text) % 4]
    if spare is None or _B64_VALUE[text[-1]] & spare:
        raise ValueError("not canonical base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64 = re.compile(r"[A-Za-z0-9_-]+")
_B64_VALUE = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}
# The bits of the last character that encode nothing, by length mod 4: they
# must be zero. A length of 1 mod 4 is never valid base64.
_SPARE_BITS = {0: 0, 1: None, 2: 0b1111, 3: 0b11}


def key_id_for(public_key: bytes) -> str:
    return hashlib.blake2b(public_key, digest_size=32).digest()[:8].hex()


def fingerprint(public_key: bytes) -> str:
    """The full BLAKE2b-256 of the public key in groups of four, as printed on
    the certificate: what a verifier compares with the published key."""
    digest = hashlib.blake2b(public_key, digest_size=32).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


@dataclass(frozen=True)
class Key:
    """A public key as a verifier knows it. ``verify_key`` is built once and
    kept: constructing it is a good part of a verification's cost."""

    key_id: str
    public_key: bytes
    revoked_at: dt.datetime | None = None
    verify_key: nacl.signing.VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verify_key", nacl.signing.VerifyKey(self.public_key))


@dataclass(frozen=True)
class Revocations:
    token_ids: frozenset[str] = frozenset()
    key_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Result:
    status: str
    payload: dict[str, Any] | None
    reason: str
    # Set once the token's parts could be read, even if the signature failed.
    token_id: str = ""

    @property
    def valid(self) -> bool:
        return self.status == VALID


@dataclass(frozen=True)
class Parsed:
    key_id: str
    payload_bytes: bytes
    signature: bytes


class Malformed(ValueError):
    pass


def parse(token: str) -> Parsed:
    """Split and decode a token, or raise ``Malformed`` saying what is wrong."""
    if not isinstance(token, str):
        raise Malformed("the token is not text")
    token = token.strip()
    if not token:
        raise Malformed("the token is empty")
    if len(token) > MAX_TOKEN_LENGTH:
        raise Malformed("the token is far too long to be an attestation")
    parts = token.split(".")
    if parts[0] != VERSION:
        raise Malformed("it does not start with “v1.”: not a Tocsin attestation token")
    if len(parts) != 4:
        raise Malformed("it has the wrong number of parts; it may have been cut short")
    _version, key_id, payload_text, signature_text = parts
    if len(key_id) != 16 or any(c not in "0123456789abcdef" for c in key_id):
        raise Malformed("its key id is not 16 hexadecimal characters")
    try:
        payload_bytes = b64decode(payload_text)
        signature = b64decode(signature_text)
    except (ValueError, binascii.Error):
        raise Malformed("it is not valid base64url; it may have been mistyped or cut short") from None
    if len(signature) != SIGNATURE_BYTES:
        raise Malformed("its signature has the wrong length; it may have been cut short")
    return Parsed(key_id, payload_bytes, signature)


def sign(signing_key: nacl.signing.SigningKey, key_id: str, payload: Mapping[str, Any]) -> str:
    payload_bytes = canonical(payload)
    signature = signing_key.sign(DOMAIN + payload_bytes).signature
    return f"{VERSION}.{key_id}.{b64encode(payload_bytes)}.{b64encode(signature)}"


def _date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError("not a date")
    return dt.date.fromisoformat(value)


def verify_token(token: str, keys: Mapping[str, Key], revocations: Revocations,
                 now: dt.datetime) -> Result:
    """The answer for ``token`` given the known ``keys`` (by key id), the
    ``revocations`` and the time ``now`` (aware, UTC).

    In order: unreadable -> ``forged``; key unknown -> ``unknown_key``;
    signature wrong -> ``forged``; key revoked -> ``revoked`` (it may have
    signed for a thief); attestation revoked -> ``revoked``; after its last
    valid day (inclusive, UTC) -> ``expired``; else ``valid``."""
    try:
        parsed = parse(token)
    except Malformed as exc:
        return Result(FORGED, None, f"Not a readable attestation: {exc}.")
    key = keys.get(parsed.key_id)
    if key is None:
        return Result(UNKNOWN_KEY, None, f"It was signed with key {parsed.key_id}, which is not a known "
                                         "Tocsin key. Update the keys file, or treat it as forged.")
    try:
        key.verify_key.verify(DOMAIN + parsed.payload_bytes, parsed.signature)
    except nacl.exceptions.BadSignatureError:
        return Result(FORGED, None, "The signature does not match: the token was altered or forged.")
    try:
        payload = json.loads(parsed.payload_bytes.decode("utf-8"))
        token_id = payload["token_id"]
        valid_from, valid_until = _date(payload["valid_from"]), _date(payload["valid_until"])
        if payload.get("key_id") != parsed.key_id or not isinstance(token_id, str):
            raise ValueError("key id mismatch")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # Signed by our key yet not our payload: never issued by Tocsin.
        return Result(FORGED, None, "The signed content is not a Tocsin attestation.")
    if parsed.key_id in revocations.key_ids or key.revoked_at is not None:
        return Result(REVOKED, payload, f"The key {parsed.key_id} that signed it has been revoked, so "
                                        "its signature can no longer be trusted. Ask the organisation "
                                        "for a newly issued certificate.", token_id)
    if token_id in revocations.token_ids:
        return Result(REVOKED, payload, "This attestation has been revoked by its issuer.", token_id)
    today = now.astimezone(dt.UTC).date()
    if today > valid_until:
        return Result(EXPIRED, payload, f"This attestation was valid until {valid_until.isoformat()}.",
                      token_id)
    # A day's grace before valid_from: a verifier whose clock runs late must
    # not refuse a certificate issued today.
    if today < valid_from - dt.timedelta(days=1):
        return Result(EXPIRED, payload, f"This attestation is not valid before {valid_from.isoformat()}.",
                      token_id)
    return Result(VALID, payload, f"Signed by key {parsed.key_id}; valid until {valid_until.isoformat()}.",
                  token_id)
