"""What the account tests share: a responder's private key searched for in any form,
anywhere; and sessions stopped part-way through logging in."""

from __future__ import annotations

import base64
import time
from typing import Any

from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts import second_factor
from tocsin.accounts.models import ResponderKey, User
from tocsin.conftest import PASSWORD, authenticator
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


def password_only(username: str, password: str = PASSWORD, **extra: Any) -> tuple[Client, Any]:
    """A client past the password step and nothing more; the response to it."""
    client = Client(**extra)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def half_logged_in(user: User) -> Client:
    """A session past the right password but not yet past the code, for an
    account whose authenticator app is set up."""
    authenticator(user)
    client, response = password_only(user.username)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/code/")
    return client


def enter_code(client: Client, code: str, path: str = "/accounts/code/", **data: str) -> Any:
    return client.post(path, {"code": code, **data})


def device_state(device: TOTPDevice) -> tuple[Any, ...]:
    """What a refused code must leave as it was."""
    device.refresh_from_db()
    return device.confirmed, device.last_t, device.drift, device.key


def age_password_step(client: Client, seconds: float) -> None:
    """Make the password step of ``client``'s session ``seconds`` old: a clock set by value."""
    session = client.session
    session[second_factor.PASSWORD_STEP_FIELD] = time.time() - seconds
    session.save()
