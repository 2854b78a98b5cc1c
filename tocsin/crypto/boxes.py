"""Per-report symmetric encryption and sealing of report keys to readers."""

from __future__ import annotations

import json
from typing import Any

import nacl.bindings as sodium
import nacl.exceptions
import nacl.public
import nacl.secret
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_BYTES = nacl.secret.Aead.KEY_SIZE


class DecryptionError(Exception):
    """Ciphertext was altered, bound to another record, or the key is wrong."""


def new_report_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def encrypt_json(key: bytes, value: Any, *, bound_to: str) -> bytes:
    """Encrypt ``value`` as JSON; ``bound_to`` (e.g. the case reference) is
    authenticated, so a ciphertext pasted onto another record fails to open."""
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return bytes(nacl.secret.Aead(key).encrypt(plaintext, bound_to.encode()))


def decrypt_json(key: bytes, ciphertext: bytes, *, bound_to: str) -> Any:
    try:
        plaintext = nacl.secret.Aead(key).decrypt(bytes(ciphertext), bound_to.encode())
    except nacl.exceptions.CryptoError as exc:
        raise DecryptionError(str(exc)) from exc
    return json.loads(plaintext)


def seal(report_key: bytes, public_key: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(bytes(public_key))).encrypt(report_key))


def unseal(sealed: bytes, private_key: bytes) -> bytes:
    try:
        return bytes(SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(sealed)))
    except nacl.exceptions.CryptoError as exc:
        raise DecryptionError(str(exc)) from exc


def new_keypair() -> tuple[bytes, bytes]:
    """Return ``(public, private)`` raw X25519 keys."""
    private = nacl.public.PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


# -- Files: libsodium secretstream, so a 50 MB file never sits whole in memory --

CHUNK = 64 * 1024
HEADER_BYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL


class StreamEncryptor:
    """Encrypts a byte stream chunk by chunk; write ``header`` first, then each
    ``push`` result, then ``finish()``. Chunks of any size are re-blocked to
    ``CHUNK`` so the reader knows the frame size."""

    def __init__(self, key: bytes, *, bound_to: str) -> None:
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        self.header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._ad = bound_to.encode()
        self._buffer = bytearray()

    def push(self, data: bytes) -> bytes:
        self._buffer += data
        out = bytearray()
        while len(self._buffer) > CHUNK:
            out += self._frame(bytes(self._buffer[:CHUNK]), TAG_MESSAGE)
            del self._buffer[:CHUNK]
        return bytes(out)

    def finish(self) -> bytes:
        frame = self._frame(bytes(self._buffer), TAG_FINAL)
        self._buffer.clear()
        return frame

    def _frame(self, chunk: bytes, tag: int) -> bytes:
        return sodium.crypto_secretstream_xchacha20poly1305_push(
            self._state, chunk, self._ad, tag
        )


def decrypt_stream(key: bytes, source: Any, *, bound_to: str):
    """Yield the plaintext chunks of a file written by ``StreamEncryptor``.

    Raises ``DecryptionError`` on any alteration, truncation or reordering."""
    header = source.read(HEADER_BYTES)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
        ad = bound_to.encode()
        while True:
            frame = source.read(CHUNK + ABYTES)
            if not frame:
                raise DecryptionError("encrypted file is truncated")
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, frame, ad)
            yield chunk
            if tag == TAG_FINAL:
                if source.read(1):
                    raise DecryptionError("data after the final frame")
                return
    except nacl.exceptions.CryptoError as exc:
        raise DecryptionError(str(exc)) from exc
