"""What the account tests look for: a responder's private key, in any form, anywhere."""

from __future__ import annotations

import base64

from django.db import connection

from tocsin.accounts.models import ResponderKey, User
from tocsin.crypto import keys


def private_key_of(user: User, password: str) -> bytes:
    key = ResponderKey.objects.get(user=user)
    wrapped = keys.WrappedKey(bytes(key.wrapped_private_key), bytes(key.salt), key.opslimit,
                              key.memlimit)
    return keys.unwrap_with_password(wrapped, password)


def encodings(secret: bytes) -> list[bytes]:
    """The ways a key could be written down by mistake."""
    return [secret, secret.hex().encode(), secret.hex().upper().encode(),
            base64.b64encode(secret), base64.urlsafe_b64encode(secret),
            base64.b64encode(secret).rstrip(b"="), base64.b32encode(secret)]


def contains_any_encoding(haystack: bytes, secret: bytes) -> bool:
    return any(form in haystack for form in encodings(secret))


def all_stored_bytes() -> bytes:
    """Every column of every row of every table, as one blob to search in."""
    blob = bytearray()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        blob += bytes(value)
                    elif value is not None:
                        blob += str(value).encode()
                    blob += b"\x00"
    return bytes(blob)
