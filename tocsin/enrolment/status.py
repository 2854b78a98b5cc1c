"""Coming back with an enrolment receipt, with wrong guesses rate-limited.

As on /followup/: the guess counter is keyed by a keyed hash of the client's
address, lives only in the cache and expires within a minute; nothing about
who guessed is stored. A throttled client is refused before its receipt is
even looked at."""

from __future__ import annotations

import nacl.encoding
import nacl.hash
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from . import receipts
from .models import Application


class WrongReceipt(Exception):
    pass


class TooManyGuesses(Exception):
    pass


def _client(group: str, request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return nacl.hash.blake2b(
        address.encode(),
        key=settings.SECRET_KEY.encode()[:64],
        digest_size=16,
        person=b"tocsin-enrol-ip",
        encoder=nacl.encoding.HexEncoder,
    ).decode()


def _guesses(request: HttpRequest, *, count: bool) -> dict[str, int] | None:
    return get_usage(
        request,
        group="enrolment-receipt-guess",
        key=_client,
        rate=f"{settings.RECEIPT_GUESSES_PER_MINUTE}/m",
        increment=count,
    )


def open_with_receipt(request: HttpRequest, receipt: str) -> Application:
    """The application whose receipt this is. Raises ``TooManyGuesses`` (before
    looking) or ``WrongReceipt`` (counting a guess). A cache that cannot be
    read reports a limit of 0, so this fails closed."""
    usage = _guesses(request, count=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        raise TooManyGuesses
    try:
        return Application.objects.select_related("organisation").get(
            receipt_tag=receipts.lookup_tag(receipt)
        )
    except (receipts.MalformedReceipt, Application.DoesNotExist):
        _guesses(request, count=True)
        raise WrongReceipt from None
