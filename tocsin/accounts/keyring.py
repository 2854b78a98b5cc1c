"""Holding a responder's unwrapped private key for the length of their session.

The key is never in a cookie and never on disk in the clear. At login it is
encrypted under a random 32-byte session key: the ciphertext is kept in the
server-side session, the session key only in an HttpOnly, SameSite=Strict
cookie. A seized server (database, sessions, backups) therefore holds no
usable private key, and a stolen cookie alone holds none either. Logging out
or the session expiring destroys the pair.
"""

from __future__ import annotations

import base64

import nacl.exceptions
import nacl.secret
import nacl.utils
from django.conf import settings
from django.http import HttpRequest, HttpResponse

SESSION_FIELD = "tocsin_sealed_private_key"
COOKIE = "tocsin_keyshare"


def hold(request: HttpRequest, response: HttpResponse, private_key: bytes) -> None:
    share = nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
    sealed = nacl.secret.SecretBox(share).encrypt(private_key)
    request.session[SESSION_FIELD] = base64.b64encode(bytes(sealed)).decode()
    response.set_cookie(
        COOKIE, base64.urlsafe_b64encode(share).decode(),
        httponly=True, samesite="Strict", secure=settings.HTTPS, max_age=None,
    )


def private_key(request: HttpRequest) -> bytes | None:
    """The logged-in responder's private key, or None if this session has none."""
    sealed = request.session.get(SESSION_FIELD)
    share = request.COOKIES.get(COOKIE)
    if not sealed or not share:
        return None
    try:
        box = nacl.secret.SecretBox(base64.urlsafe_b64decode(share))
        return bytes(box.decrypt(base64.b64decode(sealed)))
    except (ValueError, TypeError, nacl.exceptions.CryptoError):
        return None


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Strict")
