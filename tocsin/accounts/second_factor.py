"""The steps between a right password and a logged-in responder.

After the password the session is logged in but not verified: the
responder's key is already unwrapped (the password was needed for that), yet
``SecondFactorMiddleware`` lets the session reach nothing but the code page.
The code must follow the password within ``settings.SECOND_FACTOR_SECONDS``;
a session left half-way (a laptop abandoned at the code page) has to start
again from the password.
"""

from __future__ import annotations

import base64
import io
import time
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD_STEP_FIELD = "tocsin_password_step_at"  # noqa: S105 (a session key name)


def passed_password(request: HttpRequest) -> None:
    request.session[PASSWORD_STEP_FIELD] = time.time()


def password_step_is_fresh(request: HttpRequest) -> bool:
    at = request.session.get(PASSWORD_STEP_FIELD)
    return isinstance(at, int | float) and 0 <= time.time() - at <= settings.SECOND_FACTOR_SECONDS


def forget_password_step(request: HttpRequest) -> None:
    request.session.pop(PASSWORD_STEP_FIELD, None)


def safe_next(request: HttpRequest, value: str | None, default: str = "cases:inbox") -> str:
    """``value`` if it is a path on this site, else the inbox: a link someone
    was sent must not turn the login into a jump to another site."""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse(default)


def with_next(name: str, next_url: str | None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def qr_code(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code in a data: URI, which the
    content security policy allows as an image (no script, no request)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = io.BytesIO()
    image.save(svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def manual_key(device: TOTPDevice) -> str:
    """The secret as apps ask for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
