"""Encryption of what an organisation entrusts to enrolment: its contact, its
evidence and its proof vault.

Under a key derived from the server's secret (domain-separated from the
alert channels' key), because the server must read the contact on its own
to alert the organisation when its certificate is checked and to remind it
before coverage ends; see ``models`` for the threat-model trade-off. Every
ciphertext is bound to its record, so one pasted onto another fails to open."""

from __future__ import annotations

from typing import Any

import nacl.encoding
import nacl.hash
from django.conf import settings

from tocsin.crypto import boxes


def _key() -> bytes:
    return nacl.hash.blake2b(
        settings.SECRET_KEY.encode(),
        digest_size=boxes.KEY_BYTES,
        person=b"tocsin-enrolment",
        encoder=nacl.encoding.RawEncoder,
    )


def seal(value: Any, *, bound_to: str) -> bytes:
    return boxes.encrypt_json(_key(), value, bound_to=bound_to)


def open_sealed(ciphertext: bytes, *, bound_to: str) -> Any:
    """Raises ``boxes.DecryptionError`` if altered or bound to another record."""
    return boxes.decrypt_json(_key(), bytes(ciphertext), bound_to=bound_to)


def organisation_contact(organisation: Any) -> dict[str, str] | None:
    """The enrolled contact ({"kind", "value"}) of ``organisation``, or None.

    Written by enrolment on approval into ``Organisation.sealed_contacts``."""
    sealed = bytes(organisation.sealed_contacts or b"")
    if not sealed:
        return None
    try:
        contact = open_sealed(sealed, bound_to=f"organisation:{organisation.ref}")
    except boxes.DecryptionError:
        return None
    return contact if isinstance(contact, dict) else None


def seal_organisation_contact(organisation: Any, contact: dict[str, str]) -> bytes:
    return seal(contact, bound_to=f"organisation:{organisation.ref}")
