"""Encrypting evidence files as a stream of authenticated frames."""

import io
import os

import pytest

from tocsin.crypto import boxes

KIB = 1024
FRAME = boxes.CHUNK + boxes.ABYTES


def encrypt(key: bytes, data: bytes, *, bound_to: str = "file-1", piece: int = 10_000) -> bytes:
    """Encrypt as the upload handler does: pushed in arbitrary pieces."""
    encryptor = boxes.StreamEncryptor(key, bound_to=bound_to)
    out = bytearray(encryptor.header)
    for start in range(0, len(data), piece):
        out += encryptor.push(data[start : start + piece])
    out += encryptor.finish()
    return bytes(out)


def decrypt(key: bytes, ciphertext: bytes, *, bound_to: str = "file-1") -> bytes:
    return b"".join(boxes.decrypt_stream(key, io.BytesIO(ciphertext), bound_to=bound_to))


@pytest.fixture
def key() -> bytes:
    return boxes.new_report_key()


@pytest.mark.parametrize("size", [0, 1, 64 * KIB - 1, 64 * KIB, 64 * KIB + 1, 1024 * KIB])
def test_it_round_trips(key, size):
    data = os.urandom(size)
    assert decrypt(key, encrypt(key, data)) == data


@pytest.mark.parametrize("piece", [1, 7, 64 * KIB, 64 * KIB + 3, 300 * KIB])
def test_it_does_not_depend_on_how_the_data_was_pushed(key, piece):
    data = os.urandom(200 * KIB + 5)
    assert decrypt(key, encrypt(key, data, piece=piece)) == data


def test_it_frames_in_fixed_chunks(key):
    # The reader relies on every frame but the last being exactly CHUNK long.
    ciphertext = encrypt(key, b"x" * (2 * boxes.CHUNK + 1))
    assert len(ciphertext) == boxes.HEADER_BYTES + 2 * FRAME + 1 + boxes.ABYTES


def test_it_hides_the_plaintext(key):
    data = b"MARKER-" * 20_000
    assert b"MARKER" not in encrypt(key, data)


def test_it_refuses_another_file_id(key):
    ciphertext = encrypt(key, b"evidence")
    with pytest.raises(boxes.DecryptionError):
        decrypt(key, ciphertext, bound_to="file-2")


def test_it_refuses_another_key(key):
    ciphertext = encrypt(key, b"evidence")
    with pytest.raises(boxes.DecryptionError):
        decrypt(boxes.new_report_key(), ciphertext)


@pytest.mark.parametrize("size", [0, 1, 64 * KIB, 3 * 64 * KIB + 10])
def test_it_refuses_any_truncation(key, size):
    ciphertext = encrypt(key, os.urandom(size))
    cuts = {0, 1, boxes.HEADER_BYTES, boxes.HEADER_BYTES + 1, len(ciphertext) - 1}
    # Cuts exactly at frame boundaries drop whole frames, the subtle case.
    cuts |= {boxes.HEADER_BYTES + n * FRAME for n in range(1, size // boxes.CHUNK + 1)}
    for cut in sorted(c for c in cuts if c < len(ciphertext)):
        with pytest.raises(boxes.DecryptionError):
            decrypt(key, ciphertext[:cut])


@pytest.mark.parametrize("size", [1, 64 * KIB + 1, 3 * 64 * KIB + 10])
def test_it_refuses_a_flipped_byte_anywhere(key, size):
    ciphertext = encrypt(key, os.urandom(size))
    positions = {0, boxes.HEADER_BYTES - 1, boxes.HEADER_BYTES, len(ciphertext) // 2,
                 len(ciphertext) - 1}
    positions |= {boxes.HEADER_BYTES + n * FRAME for n in range(size // boxes.CHUNK + 1)}
    for position in sorted(p for p in positions if p < len(ciphertext)):
        tampered = bytearray(ciphertext)
        tampered[position] ^= 0x01
        with pytest.raises(boxes.DecryptionError):
            decrypt(key, bytes(tampered))


@pytest.mark.parametrize("trailer", [b"\x00", b"more data", None])
def test_it_refuses_trailing_data(key, trailer):
    ciphertext = encrypt(key, os.urandom(100))
    # None: a whole valid frame of the same file appended again.
    extra = ciphertext[boxes.HEADER_BYTES:] if trailer is None else trailer
    with pytest.raises(boxes.DecryptionError):
        decrypt(key, ciphertext + extra)


def test_it_refuses_reordered_frames(key):
    ciphertext = encrypt(key, os.urandom(3 * boxes.CHUNK + 10))
    header, body = ciphertext[: boxes.HEADER_BYTES], ciphertext[boxes.HEADER_BYTES :]
    frames = [body[i : i + FRAME] for i in range(0, len(body), FRAME)]
    assert len(frames) == 4
    for order in ([1, 0, 2, 3], [0, 2, 1, 3], [0, 1, 3, 2]):
        with pytest.raises(boxes.DecryptionError):
            decrypt(key, header + b"".join(frames[i] for i in order))


def test_it_refuses_a_frame_dropped_from_the_middle(key):
    ciphertext = encrypt(key, os.urandom(3 * boxes.CHUNK + 10))
    start = boxes.HEADER_BYTES + FRAME
    with pytest.raises(boxes.DecryptionError):
        decrypt(key, ciphertext[:start] + ciphertext[start + FRAME :])


def test_it_refuses_a_frame_from_another_file_with_the_same_key(key):
    # Same key, different file: the header's nonce ties the frames to one file.
    first = encrypt(key, os.urandom(100))
    second = encrypt(key, os.urandom(100))
    with pytest.raises(boxes.DecryptionError):
        decrypt(key, first[: boxes.HEADER_BYTES] + second[boxes.HEADER_BYTES :])
