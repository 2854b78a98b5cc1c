"""A responder's private key wrapped under their password, and under a recovery key."""

import re

import pytest

from tocsin.crypto import boxes, keys

# libsodium's minimum cost: the tests check behaviour, not strength.
COST = {"opslimit": 1, "memlimit": 8192}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def private() -> bytes:
    return boxes.new_keypair()[1]


def test_it_unwraps_with_the_password(private):
    wrapped = keys.wrap_with_password(private, PASSWORD, **COST)
    assert keys.unwrap_with_password(wrapped, PASSWORD) == private


def test_it_records_the_cost_it_used(private):
    wrapped = keys.wrap_with_password(private, PASSWORD, opslimit=2, memlimit=16384)
    assert (wrapped.opslimit, wrapped.memlimit) == (2, 16384)
    assert keys.unwrap_with_password(wrapped, PASSWORD) == private


@pytest.mark.parametrize("wrong", ["", "correct horse battery stapl", "Correct horse battery staple",
                                   PASSWORD + " "])
def test_it_refuses_a_wrong_password(private, wrong):
    wrapped = keys.wrap_with_password(private, PASSWORD, **COST)
    with pytest.raises(boxes.DecryptionError):
        keys.unwrap_with_password(wrapped, wrong)


def test_it_hides_the_private_key(private):
    wrapped = keys.wrap_with_password(private, PASSWORD, **COST)
    assert private not in wrapped.ciphertext
    assert private not in wrapped.salt


def test_it_uses_a_fresh_salt_each_time(private):
    first = keys.wrap_with_password(private, PASSWORD, **COST)
    second = keys.wrap_with_password(private, PASSWORD, **COST)
    assert first.salt != second.salt
    assert first.ciphertext != second.ciphertext


def test_it_refuses_a_tampered_wrapping(private):
    wrapped = keys.wrap_with_password(private, PASSWORD, **COST)
    tampered = keys.WrappedKey(wrapped.ciphertext[:-1] + bytes([wrapped.ciphertext[-1] ^ 1]),
                               wrapped.salt, wrapped.opslimit, wrapped.memlimit)
    with pytest.raises(boxes.DecryptionError):
        keys.unwrap_with_password(tampered, PASSWORD)


def test_it_makes_a_readable_recovery_key_of_256_bits():
    recovery_key = keys.new_recovery_key()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4})+", recovery_key)
    assert len(recovery_key.replace("-", "")) * 5 >= 256
    assert recovery_key != keys.new_recovery_key()


def test_it_unwraps_with_the_recovery_key(private):
    recovery_key = keys.new_recovery_key()
    wrapped = keys.wrap_with_recovery_key(private, recovery_key)
    assert private not in wrapped
    assert keys.unwrap_with_recovery_key(wrapped, recovery_key) == private


def test_it_accepts_the_recovery_key_typed_loosely(private):
    recovery_key = keys.new_recovery_key()
    wrapped = keys.wrap_with_recovery_key(private, recovery_key)
    typed = " ".join(recovery_key.lower().split("-"))
    assert keys.unwrap_with_recovery_key(wrapped, typed) == private


def test_it_refuses_another_recovery_key(private):
    wrapped = keys.wrap_with_recovery_key(private, keys.new_recovery_key())
    with pytest.raises(boxes.DecryptionError):
        keys.unwrap_with_recovery_key(wrapped, keys.new_recovery_key())


def test_it_does_not_accept_the_password_as_a_recovery_key(private):
    wrapped = keys.wrap_with_recovery_key(private, keys.new_recovery_key())
    with pytest.raises(boxes.DecryptionError):
        keys.unwrap_with_recovery_key(wrapped, PASSWORD)
