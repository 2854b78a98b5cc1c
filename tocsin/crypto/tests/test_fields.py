"""Encrypting a report's fields under its key, bound to the record they belong to."""

import pytest

from tocsin.crypto import boxes

VALUE = {"narrative": "Officers took every computer.", "contact": "+7 912 345 67 89", "n": [1, None]}


def test_it_round_trips_json():
    key = boxes.new_report_key()
    ciphertext = boxes.encrypt_json(key, VALUE, bound_to="TX-AAAA-BBBB")
    assert boxes.decrypt_json(key, ciphertext, bound_to="TX-AAAA-BBBB") == VALUE


def test_it_keeps_non_ascii_text():
    key = boxes.new_report_key()
    text = "Изъяли все ноутбуки 🔔"
    assert boxes.decrypt_json(key, boxes.encrypt_json(key, text, bound_to="r"), bound_to="r") == text


def test_it_hides_the_plaintext():
    key = boxes.new_report_key()
    ciphertext = boxes.encrypt_json(key, VALUE, bound_to="TX-AAAA-BBBB")
    assert b"computer" not in ciphertext
    assert b"912" not in ciphertext


def test_it_uses_a_fresh_nonce_each_time():
    key = boxes.new_report_key()
    first = boxes.encrypt_json(key, VALUE, bound_to="r")
    assert first != boxes.encrypt_json(key, VALUE, bound_to="r")


def test_it_refuses_a_ciphertext_moved_to_another_record():
    key = boxes.new_report_key()
    ciphertext = boxes.encrypt_json(key, VALUE, bound_to="TX-AAAA-BBBB")
    with pytest.raises(boxes.DecryptionError):
        boxes.decrypt_json(key, ciphertext, bound_to="TX-AAAA-BBBC")


def test_it_refuses_another_key():
    ciphertext = boxes.encrypt_json(boxes.new_report_key(), VALUE, bound_to="r")
    with pytest.raises(boxes.DecryptionError):
        boxes.decrypt_json(boxes.new_report_key(), ciphertext, bound_to="r")


def test_it_refuses_a_flipped_bit():
    key = boxes.new_report_key()
    ciphertext = bytearray(boxes.encrypt_json(key, VALUE, bound_to="r"))
    ciphertext[len(ciphertext) // 2] ^= 1
    with pytest.raises(boxes.DecryptionError):
        boxes.decrypt_json(key, bytes(ciphertext), bound_to="r")


def test_it_refuses_a_truncated_ciphertext():
    key = boxes.new_report_key()
    ciphertext = boxes.encrypt_json(key, VALUE, bound_to="r")
    for length in (0, 10, len(ciphertext) - 1):
        with pytest.raises(boxes.DecryptionError):
            boxes.decrypt_json(key, ciphertext[:length], bound_to="r")


def test_it_makes_256_bit_report_keys_that_differ():
    keys = {boxes.new_report_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) == 32 for key in keys)
