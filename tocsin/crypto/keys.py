"""Responder key custody: wrapping private keys under a password or recovery key."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.pwhash
import nacl.secret
import nacl.utils

from .boxes import DecryptionError

SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES


@dataclass(frozen=True)
class WrappedKey:
    """A private key encrypted under a password-derived key, with the
    Argon2id parameters used, so they can be raised later without lock-out."""

    ciphertext: bytes
    salt: bytes
    opslimit: int
    memlimit: int


def _password_key(password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        password.encode(),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )


def wrap_with_password(private_key: bytes, password: str, *, opslimit: int, memlimit: int) -> WrappedKey:
    salt = nacl.utils.random(SALT_BYTES)
    key = _password_key(password, salt, opslimit, memlimit)
    return WrappedKey(bytes(nacl.secret.SecretBox(key).encrypt(private_key)), salt, opslimit, memlimit)


def unwrap_with_password(wrapped: WrappedKey, password: str) -> bytes:
    key = _password_key(password, bytes(wrapped.salt), wrapped.opslimit, wrapped.memlimit)
    return _open(key, wrapped.ciphertext)


# A recovery key is 256 random bits, so a fast hash is enough to turn it into
# a box key; it is shown once and never stored.

def new_recovery_key() -> str:
    raw = base64.b32encode(nacl.utils.random(32)).decode().rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _recovery_box_key(recovery_key: str) -> bytes:
    normalised = "".join(recovery_key.split()).replace("-", "").upper().encode()
    return nacl.hash.blake2b(
        normalised, digest_size=32, person=b"tocsin-recovery", encoder=nacl.encoding.RawEncoder
    )


def wrap_with_recovery_key(private_key: bytes, recovery_key: str) -> bytes:
    return bytes(nacl.secret.SecretBox(_recovery_box_key(recovery_key)).encrypt(private_key))


def unwrap_with_recovery_key(ciphertext: bytes, recovery_key: str) -> bytes:
    return _open(_recovery_box_key(recovery_key), ciphertext)


def _open(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(bytes(ciphertext)))
    except nacl.exceptions.CryptoError as exc:
        raise DecryptionError("wrong password or recovery key") from exc
