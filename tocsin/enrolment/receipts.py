"""Enrolment receipts: what an organisation holds to come back to /enrol/status/.

The same shape as a reporter's receipt (25 digits, 83 bits, see
``tocsin.crypto.receipts``), but found by a hash keyed with the server's
secret and domain-separated from reports: a report receipt never opens an
application, and a copy of the database alone cannot test guesses offline."""

from __future__ import annotations

import nacl.encoding
import nacl.hash
from django.conf import settings

from tocsin.crypto import receipts

MalformedReceipt = receipts.MalformedReceipt
new_receipt = receipts.new_receipt


def lookup_tag(receipt: str) -> str:
    """Raises ``MalformedReceipt`` for anything but 25 digits (spaces and dashes aside)."""
    return nacl.hash.blake2b(
        receipts.normalise(receipt).encode(),
        key=settings.SECRET_KEY.encode()[:64],
        digest_size=32,
        person=b"tocsin-enrolrcpt",
        encoder=nacl.encoding.HexEncoder,
    ).decode()


def formatted(receipt: str) -> str:
    return receipts.format_receipt(receipts.normalise(receipt))
