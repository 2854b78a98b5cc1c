"""Sealing a report key to each reader's public key."""

import pytest

from tocsin.crypto import boxes


def test_it_unseals_with_the_matching_private_key():
    public, private = boxes.new_keypair()
    report_key = boxes.new_report_key()
    assert boxes.unseal(boxes.seal(report_key, public), private) == report_key


def test_it_refuses_another_private_key():
    public, _ = boxes.new_keypair()
    _, other_private = boxes.new_keypair()
    with pytest.raises(boxes.DecryptionError):
        boxes.unseal(boxes.seal(boxes.new_report_key(), public), other_private)


def test_it_refuses_a_tampered_seal():
    public, private = boxes.new_keypair()
    sealed = bytearray(boxes.seal(boxes.new_report_key(), public))
    sealed[-1] ^= 1
    with pytest.raises(boxes.DecryptionError):
        boxes.unseal(bytes(sealed), private)


def test_it_seals_differently_every_time():
    # An observer of the database must not learn that two readers got the same key.
    public, _ = boxes.new_keypair()
    report_key = boxes.new_report_key()
    assert boxes.seal(report_key, public) != boxes.seal(report_key, public)
    assert report_key not in boxes.seal(report_key, public)


def test_it_makes_distinct_key_pairs():
    pairs = [boxes.new_keypair() for _ in range(20)]
    assert len({public for public, _ in pairs}) == 20
    assert all(len(public) == len(private) == 32 for public, private in pairs)
