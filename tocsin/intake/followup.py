"""Coming back with a receipt: find the report, open it, read the replies, answer.

Receipt guesses are rate-limited per client, but we never store who guessed:
the counter is keyed by a keyed hash of the client's address, lives only in
the cache (process memory, or Redis without persistence) and expires within
minutes. The receipt itself is only ever hashed."""

from __future__ import annotations

from dataclasses import dataclass, field

import nacl.encoding
import nacl.hash
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from tocsin.cases import actions
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
    # Unsealed with the receipt, for the reporter's answer; never shown or stored.
    case_key: bytes = field(repr=False)


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
    return Followup(case, messages_of(case, case_key), case_key)


def messages_of(case: Case, case_key: bytes) -> list[ReporterMessage]:
    """Both sides of the conversation, oldest first.

    The reporter's reading is not written to the audit log, unlike every
    responder's: the times a reporter comes back would be a trace of them in
    a seized database, and the log is there to hold insiders to account."""
    return [
        ReporterMessage(
            message.direction, message.sent_at,
            boxes.decrypt_json(case_key, bytes(message.ciphertext), bound_to=case.reference),
        )
        for message in Message.objects.filter(case=case)
    ]


def answer(found: Followup, body: str) -> Followup:
    """Store the reporter's answer (``body`` already validated) and return the
    conversation with it."""
    actions.receive_from_reporter(found.case, found.case_key, body)
    return Followup(found.case, messages_of(found.case, found.case_key), found.case_key)
