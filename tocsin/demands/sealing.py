"""The sealed part of a demand (see ``models``): a server-secret key, bound to the reference."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import nacl.encoding
import nacl.hash
from django.conf import settings

from tocsin.crypto import boxes


@dataclass(frozen=True)
class Details:
    official: str = ""
    scope: str = ""
    response: str = ""
    approval_note: str = ""


def _key() -> bytes:
    return nacl.hash.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=b"tocsin-demands",
                             encoder=nacl.encoding.RawEncoder)


def seal(details: Details, reference: str) -> bytes:
    return boxes.encrypt_json(_key(), asdict(details), bound_to=reference)


def open_details(sealed: bytes | memoryview, reference: str) -> Details:
    return Details(**boxes.decrypt_json(_key(), bytes(sealed), bound_to=reference))
