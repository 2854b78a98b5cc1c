"""Making, reading and hashing the token string ``tocsin_<prefix>_<secret>``.

Both parts are lower-case base32 (letters and the digits 2-7), so a token
survives being copied from a terminal, a PDF or an e-mail, and the
underscores can only be the separators."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX_BYTES = 5   # 8 characters, 40 bits: tells tokens apart, proves nothing
SECRET_BYTES = 25  # 40 characters, 200 bits: the part that must never be guessed
_SHAPE = re.compile(r"tocsin_([a-z2-7]{8})_([a-z2-7]{40})")


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().lower().rstrip("=")


@dataclass(frozen=True)
class Minted:
    token: str
    prefix: str
    hash: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mint() -> Minted:
    prefix = _b32(secrets.token_bytes(PREFIX_BYTES))
    token = f"tocsin_{prefix}_{_b32(secrets.token_bytes(SECRET_BYTES))}"
    return Minted(token, prefix, digest(token))


def prefix_of(token: str) -> str | None:
    """The prefix of a well-formed token, else None (no lookup for garbage)."""
    match = _SHAPE.fullmatch(token)
    return match.group(1) if match else None


def matches(token: str, stored_hash: str) -> bool:
    """Constant time: how much of the hash matched must not show in the timing."""
    return hmac.compare_digest(digest(token), stored_hash)
