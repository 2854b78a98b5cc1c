"""Reporter receipts: the only thing an anonymous reporter holds.

A receipt is 25 random decimal digits (83 bits), shown in five groups of five:
digits read aloud the same way in every language and type easily on a phone's
number pad. With that much entropy a fast keyed hash is safe, so the intake
path never pays for a memory-hard hash (DESIGN.md, Data at rest). From the
receipt we derive two unrelated values with domain-separated BLAKE2b:

- a lookup tag, stored, to find the report;
- an X25519 key pair; the report key is sealed to its public half, so the
  reporter (and only someone holding the receipt) can read replies.
"""

from __future__ import annotations

import re
import secrets

import nacl.encoding
import nacl.hash
from nacl.public import PrivateKey

DIGITS = 25
GROUP = 5


class MalformedReceipt(ValueError):
    pass


def new_receipt() -> str:
    return format_receipt(f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}")


def format_receipt(digits: str) -> str:
    return "-".join(digits[i : i + GROUP] for i in range(0, DIGITS, GROUP))


def normalise(text: str) -> str:
    """Accept what people type: spaces, dashes, dots; nothing else."""
    digits = re.sub(r"[\s\-.\u2010-\u2015]", "", text or "")
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        raise MalformedReceipt(text)
    return digits


def _derive(receipt: str, person: bytes) -> bytes:
    return nacl.hash.blake2b(
        normalise(receipt).encode(), digest_size=32, person=person, encoder=nacl.encoding.RawEncoder
    )


def lookup_tag(receipt: str) -> bytes:
    return _derive(receipt, b"tocsin-rcpt-find")


def private_key(receipt: str) -> bytes:
    return _derive(receipt, b"tocsin-rcpt-key")


def public_key(receipt: str) -> bytes:
    return bytes(PrivateKey(private_key(receipt)).public_key)
