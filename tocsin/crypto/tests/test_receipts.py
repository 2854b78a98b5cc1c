"""Receipts: the only thing an anonymous reporter holds."""

import math
import re

import pytest

from tocsin.crypto import receipts

RECEIPT = "12345-67890-12345-67890-12345"


def test_it_makes_25_digits_in_five_groups_of_five():
    receipt = receipts.new_receipt()
    assert re.fullmatch(r"\d{5}(-\d{5}){4}", receipt)


def test_it_has_at_least_80_bits_of_entropy():
    assert receipts.DIGITS * math.log2(10) >= 80


def test_it_never_repeats_a_receipt():
    # 1,000 draws from 10**25: a repeat would mean the generator is not random.
    assert len({receipts.new_receipt() for _ in range(1000)}) == 1000


def test_it_uses_every_digit_in_every_position():
    draws = [receipts.normalise(receipts.new_receipt()) for _ in range(400)]
    for position in range(receipts.DIGITS):
        assert {draw[position] for draw in draws} == set("0123456789")


@pytest.mark.parametrize("typed", [
    RECEIPT,
    RECEIPT.replace("-", " "),
    RECEIPT.replace("-", ""),
    " 1234567890 1234567890 12345 ",
    "12345 - 67890 - 12345 - 67890 - 12345",
    "12345\u201167890\u201212345\u201367890\u201412345",  # dashes a phone keyboard may insert
    "12345\t67890\n12345\u00a067890 12345",
])
def test_it_normalises_what_people_type(typed):
    assert receipts.normalise(typed) == RECEIPT.replace("-", "")


@pytest.mark.parametrize("typed", [
    "",
    "1234567890123456789012345" + "6",
    "123456789012345678901234",
    "12345-67890-12345-67890-1234X",
    "12345_67890_12345_67890_12345",
    "12345/67890/12345/67890/12345",
    "\u0661\u0662\u0663\u0664\u0665" * 5,  # Arabic-Indic digits: digits, but not ours
    "\uff11\uff12\uff13\uff14\uff15" * 5,  # full-width digits
    "12345-67890-12345-67890-12345'; --",
])
def test_it_refuses_anything_else(typed):
    with pytest.raises(receipts.MalformedReceipt):
        receipts.normalise(typed)


def test_it_refuses_none():
    with pytest.raises(receipts.MalformedReceipt):
        receipts.normalise(None)  # type: ignore[arg-type]


def test_it_derives_the_same_tag_and_key_pair_however_the_receipt_is_typed():
    spaced = RECEIPT.replace("-", " ")
    assert receipts.lookup_tag(RECEIPT) == receipts.lookup_tag(spaced)
    assert receipts.private_key(RECEIPT) == receipts.private_key(spaced)
    assert receipts.public_key(RECEIPT) == receipts.public_key(spaced)


def test_it_derives_different_values_for_different_receipts():
    other = "12345-67890-12345-67890-12346"
    assert receipts.lookup_tag(RECEIPT) != receipts.lookup_tag(other)
    assert receipts.private_key(RECEIPT) != receipts.private_key(other)
    assert receipts.public_key(RECEIPT) != receipts.public_key(other)


def test_it_separates_the_lookup_tag_from_the_key():
    # The tag is stored in the database; if it equalled (or were) the private
    # key, a seized database would open every report for its reporter.
    tag = receipts.lookup_tag(RECEIPT)
    private = receipts.private_key(RECEIPT)
    public = receipts.public_key(RECEIPT)
    assert len(tag) == len(private) == len(public) == 32
    assert len({tag, private, public}) == 3


def test_it_pairs_the_public_key_with_the_private_key():
    from nacl.public import PrivateKey

    assert bytes(PrivateKey(receipts.private_key(RECEIPT)).public_key) == receipts.public_key(RECEIPT)


def test_it_refuses_to_derive_from_a_malformed_receipt():
    with pytest.raises(receipts.MalformedReceipt):
        receipts.lookup_tag("not a receipt")
