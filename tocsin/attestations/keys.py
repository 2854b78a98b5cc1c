"""The issuer's signing keys: made, sealed at rest, rotated, revoked, and read for verifying.

The private seed is sealed under a key derived from the server's secret with
its own BLAKE2b personalisation (not the alert channels'), so a stolen
database alone cannot sign an attestation; a stolen database *and*
``SECRET_KEY`` can, which is what revoking a key is for.

Verifying needs only public keys. ``verifying_keys()`` reads the (tiny) key
table on every call, so a revocation takes effect at once in every worker,
but keeps the built ``VerifyKey`` objects per process, which is where the
cost is."""

from __future__ import annotations

import datetime as dt

import nacl.encoding
import nacl.hash
import nacl.secret
import nacl.signing
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import verification
from .models import SigningKey


def _box() -> nacl.secret.SecretBox:
    key = nacl.hash.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=b"tocsin-attest-sk",
                            encoder=nacl.encoding.RawEncoder)
    return nacl.secret.SecretBox(key)


def create_key() -> SigningKey:
    """A new key that signs from now on; the previous current key is retired
    (still verifies). Caller holds the transaction and records the audit entry."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_key() must run inside the action's transaction")
    now = timezone.now()
    SigningKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True).update(retired_at=now)
    signing = nacl.signing.SigningKey.generate()
    public = bytes(signing.verify_key)
    return SigningKey.objects.create(
        key_id=verification.key_id_for(public), public_key=public,
        sealed_seed=bytes(_box().encrypt(bytes(signing))), created_at=now,
    )


def current_key() -> SigningKey | None:
    """The key that signs now: the newest neither retired nor revoked."""
    return (SigningKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True)
            .order_by("-created_at").first())


def signer(key: SigningKey) -> nacl.signing.SigningKey:
    return nacl.signing.SigningKey(_box().decrypt(bytes(key.sealed_seed)))


_built: dict[tuple[str, bytes, dt.datetime | None], verification.Key] = {}


def as_verifier_key(key_id: str, public_key: bytes, revoked_at: dt.datetime | None) -> verification.Key:
    cached = _built.get((key_id, public_key, revoked_at))
    if cached is None:
        cached = _built[(key_id, public_key, revoked_at)] = verification.Key(key_id, public_key, revoked_at)
    return cached


def verifying_keys() -> dict[str, verification.Key]:
    rows = SigningKey.objects.values_list("key_id", "public_key", "revoked_at")
    return {key_id: as_verifier_key(key_id, bytes(public), revoked_at)
            for key_id, public, revoked_at in rows}
