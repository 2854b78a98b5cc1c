"""Coming back with a receipt: find the report, open it, read the replies.

Receipt guesses are rate-limited per client, but we never store who guessed:
the counter is keyed by a keyed hash of the client's address, lives only in
the cache (process memory, or Redis without persistence) and expires within
minutes. The receipt itself is only ever hashed."""

from __future__ import annotations

from dataclasses import dataclass

import nacl.encoding
import nacl.hash
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from tocsin.cases.models import Case, Message
from tocsin.crypto import boxes, receipts


class WrongReceipt(Exception):
    pass


class TooManyGuesses(Exception):
    pass


@dataclass(frozen=True)
class ReporterMessage:
    direction: str
    sent_at: object
    body: str


@dataclass(frozen=True)
class Followup:
    case: Case
    messages: list[ReporterMessage]


def _client(group: str, request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return nacl.hash.blake2b(
        address.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16,
        encoder=nacl.encoding.HexEncoder,
    ).decode()


def _guesses(request: HttpRequest, *, count: bool) -> dict[str, int] | None:
    return get_usage(
        request, group="receipt-guess", key=_client,
        rate=f"{settings.RECEIPT_GUESSES_PER_MINUTE}/m", increment=count,
    )


def _throttled(request: HttpRequest) -> bool:
    """True once this client has used up its wrong guesses for the minute.

    django-ratelimit would only limit once the count *exceeds* the rate, one
    guess more than the setting promises. A cache it cannot read reports a
    limit of 0, so this fails closed."""
    usage = _guesses(request, count=False)
    return usage is not None and usage["count"] >= usage["limit"]


def open_with_receipt(request: HttpRequest, receipt: str) -> Followup:
    """The report and its messages for whoever holds ``receipt``.

    Raises ``TooManyGuesses`` before looking if this client has guessed wrong
    too often, and ``WrongReceipt`` (counting a guess) if nothing matches."""
    if _throttled(request):
        raise TooManyGuesses
    try:
        tag = receipts.lookup_tag(receipt).hex()
        case = Case.objects.get(receipt_tag=tag)
    except (receipts.MalformedReceipt, Case.DoesNotExist):
        _guesses(request, count=True)
        raise WrongReceipt from None
    case_key = boxes.unseal(bytes(case.receipt_sealed_key), receipts.private_key(receipt))
    messages = [
        ReporterMessage(
            message.direction, message.sent_at,
            boxes.decrypt_json(case_key, bytes(message.ciphertext), bound_to=case.reference),
        )
        for message in Message.objects.filter(case=case)
    ]
    return Followup(case, messages)
