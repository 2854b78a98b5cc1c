"""INN and OGRN: check digits, lengths, and the spacing people type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.registry.identifiers import (
    InvalidIdentifier,
    inn_check_digits,
    is_valid_inn,
    is_valid_ogrn,
    normalise_free,
    normalise_inn,
    normalise_ogrn,
    ogrn_check_digit,
)


@pytest.mark.parametrize(("typed", "stored"), [
    ("7707083893", "7707083893"),          # an organisation (Sberbank)
    ("500100732259", "500100732259"),      # an individual
    ("7707 083 893", "7707083893"),
    ("7707-083-893", "7707083893"),
    (" 7707\u00a0083\u2013893 ", "7707083893"),
])
def test_valid_inns(typed, stored):
    assert normalise_inn(typed) == stored
    assert is_valid_inn(typed)


@pytest.mark.parametrize(("typed", "message"), [
    ("7707083894", "fails its check digits"),
    ("500100732250", "fails its check digits"),
    ("500100732269", "fails its check digits"),   # 11th digit wrong
    ("770708389", "not 9"),
    ("77070838930", "not 11"),
    ("5001007322590", "not 13"),
    ("", "digits only"),
    ("ИНН 7707083893", "digits only"),
    ("7707O83893", "digits only"),
    ("".join(chr(0xFF10 + int(d)) for d in "7707083893"), "digits only"),  # full-width digits
    ("77070838.93", "digits only"),
])
def test_invalid_inns(typed, message):
    with pytest.raises(InvalidIdentifier, match=message):
        normalise_inn(typed)
    assert not is_valid_inn(typed)


@pytest.mark.parametrize(("typed", "stored"), [
    ("1027700132195", "1027700132195"),     # an organisation
    ("304500116000157", "304500116000157"), # an individual entrepreneur (OGRNIP)
    ("1 02 77 00 132195", "1027700132195"),
])
def test_valid_ogrns(typed, stored):
    assert normalise_ogrn(typed) == stored
    assert is_valid_ogrn(typed)


@pytest.mark.parametrize(("typed", "message"), [
    ("1027700132196", "fails its check digit"),
    ("304500116000158", "fails its check digit"),
    ("102770013219", "not 12"),
    ("30450011600015", "not 14"),
    ("10277001321950", "not 14"),
    ("", "digits only"),
    ("1027700132l95", "digits only"),
])
def test_invalid_ogrns(typed, message):
    with pytest.raises(InvalidIdentifier, match=message):
        normalise_ogrn(typed)
    assert not is_valid_ogrn(typed)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9) | st.text(alphabet="0123456789",
                                                                          min_size=10, max_size=10))
def test_every_inn_with_its_check_digits_is_valid_and_any_other_final_digit_is_not(body):
    check = inn_check_digits(body)
    assert is_valid_inn(body + check)
    wrong = str((int(check[-1]) + 1) % 10)
    assert not is_valid_inn(body + check[:-1] + wrong)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12) | st.text(alphabet="0123456789",
                                                                            min_size=14, max_size=14))
def test_every_ogrn_with_its_check_digit_is_valid_and_any_other_is_not(body):
    check = ogrn_check_digit(body)
    assert is_valid_ogrn(body + check)
    assert not is_valid_ogrn(body + str((int(check) + 1) % 10))


def test_the_shared_registry_identifiers_are_valid():
    import csv

    from tocsin.screening.evaluation import DEV_SET

    with open(DEV_SET / "registry.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(is_valid_inn(r["inn"]) and is_valid_ogrn(r["ogrn"]) for r in rows)


def test_free_identifiers_are_only_tidied():
    assert normalise_free("  kz  bin 0405 40000 123 ") == "KZ BIN 0405 40000 123"
