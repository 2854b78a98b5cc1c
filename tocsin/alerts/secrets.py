"""Channel URLs at rest: encrypted under a key derived from the server's secret."""

from __future__ import annotations

import nacl.encoding
import nacl.hash
import nacl.secret
from django.conf import settings


def _box() -> nacl.secret.SecretBox:
    key = nacl.hash.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=b"tocsin-channels",
                            encoder=nacl.encoding.RawEncoder)
    return nacl.secret.SecretBox(key)


def seal_url(url: str) -> bytes:
    return bytes(_box().encrypt(url.encode()))


def open_url(sealed: bytes) -> str:
    return _box().decrypt(bytes(sealed)).decode()
