"""Russia's organisation identifiers (INN, OGRN) checked by their check digits.

Enforcement paperwork copies identifiers by hand; a single wrong digit would
make screening miss a protected group or match the wrong one. The check
digits catch almost every such slip, so an identifier is stored only once it
passes them, digits only.

- INN: 10 digits for an organisation, 12 for an individual (an informal
  group's representative or an individual entrepreneur).
- OGRN: 13 digits for an organisation; OGRNIP, 15 digits, for an individual
  entrepreneur.

Other countries' identifiers have no single scheme Tocsin can check, so they
are kept as free identifiers (``Organisation.identifiers``, scheme -> value),
normalised only for spacing.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# Spaces (including non-breaking and thin ones) and dashes people type
# between digit groups.
_SEPARATORS = re.compile(r"[\s\u00a0\u2009\u202f\-\u2010\u2011\u2012\u2013\u2014]+")

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class InvalidIdentifier(ValueError):
    """The identifier is not well formed or fails its check digits; the message says which."""


def _digits(value: str, label: str) -> str:
    cleaned = _SEPARATORS.sub("", value or "")
    # str.isdigit accepts other scripts' digits and superscripts; only ASCII will do.
    if not cleaned or not (cleaned.isascii() and cleaned.isdigit()):
        raise InvalidIdentifier(_("%(label)s must contain digits only.") % {"label": label})
    return cleaned


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_check_digits(first: str) -> str:
    """The check digit(s) for the first 9 (organisation) or 10 (individual) digits of an INN."""
    if len(first) == 9:
        return str(_weighted(first, _INN10_WEIGHTS))
    if len(first) == 10:
        eleventh = str(_weighted(first, _INN11_WEIGHTS))
        return eleventh + str(_weighted(first + eleventh, _INN12_WEIGHTS))
    raise ValueError("an INN body has 9 or 10 digits")


def ogrn_check_digit(first: str) -> str:
    """The check digit for the first 12 (OGRN) or 14 (OGRNIP) digits."""
    if len(first) == 12:
        return str(int(first) % 11 % 10)
    if len(first) == 14:
        return str(int(first) % 13 % 10)
    raise ValueError("an OGRN body has 12 or 14 digits")


def normalise_inn(value: str) -> str:
    """The INN as digits only; raises InvalidIdentifier with the reason."""
    inn = _digits(value, "INN")
    if len(inn) not in (10, 12):
        raise InvalidIdentifier(_("INN must have 10 digits (organisation) or 12 (individual), "
                                  "not %(count)d.") % {"count": len(inn)})
    body = inn[:9] if len(inn) == 10 else inn[:10]
    if inn[len(body):] != inn_check_digits(body):
        raise InvalidIdentifier(_("INN %(inn)s fails its check digits.") % {"inn": inn})
    return inn


def normalise_ogrn(value: str) -> str:
    """The OGRN (13 digits) or OGRNIP (15) as digits only; raises InvalidIdentifier."""
    ogrn = _digits(value, "OGRN")
    if len(ogrn) not in (13, 15):
        raise InvalidIdentifier(_("OGRN must have 13 digits (or 15 for an OGRNIP), "
                                  "not %(count)d.") % {"count": len(ogrn)})
    if ogrn[-1] != ogrn_check_digit(ogrn[:-1]):
        raise InvalidIdentifier(_("OGRN %(ogrn)s fails its check digit.") % {"ogrn": ogrn})
    return ogrn


def is_valid_inn(value: str) -> bool:
    try:
        normalise_inn(value)
    except InvalidIdentifier:
        return False
    return True


def is_valid_ogrn(value: str) -> bool:
    try:
        normalise_ogrn(value)
    except InvalidIdentifier:
        return False
    return True


def normalise_free(value: str) -> str:
    """Another country's identifier: trimmed, inner whitespace collapsed, upper case.

    Nothing more, because Tocsin cannot know every scheme; screening compares
    these exactly after this normalisation."""
    return " ".join((value or "").split()).upper()
