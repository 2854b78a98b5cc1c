"""Deciding what a screening answers: protected, review or clear, and why.

Identifiers come first: an INN, OGRN or other identifier that matches a
registry row exactly (after dropping spaces and dashes) makes the answer
``protected`` whatever the name says, because paperwork garbles names far
more often than numbers. Names come second (``names``, ``index``).

Every row of the registry counts as protected -- registered, enrolled or
attested -- so the thresholds are about how sure we are it is the *same*
organisation, not about its status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from tocsin.registry.models import Organisation

from . import index, names

# Tuned on ../shared/data/screening_dev (see bench/screening.py): a single
# typo in a short name scores about 80, one extra word about 88-92;
# unrelated companies stay under 70.
PROTECTED_SCORE = 93.0
REVIEW_SCORE = 78.0
MAX_MATCHES = 5

PROTECTED = "protected"
REVIEW = "review"
CLEAR = "clear"

_SEPARATORS = re.compile(r"[\s\-./]+")


def normalise_identifier(value: str) -> str:
    """"77-07 083893" and "7707083893" are the same INN."""
    return _SEPARATORS.sub("", value).upper()


@dataclass
class Match:
    organisation: Organisation
    score: float
    reasons: list[str] = field(default_factory=list)
    by_identifier: bool = False


@dataclass
class Result:
    decision: str
    matches: list[Match]


def _identifier_matches(identifiers: dict[str, str]) -> dict[int, Match]:
    found: dict[int, Match] = {}
    wanted = {scheme.lower(): normalise_identifier(value) for scheme, value in identifiers.items()
              if value and normalise_identifier(value)}
    inn, ogrn = wanted.pop("inn", ""), wanted.pop("ogrn", "")
    if inn or ogrn:  # one query on the two indexed columns
        condition = Q(inn=inn) if inn else Q()
        if ogrn:
            condition = condition | Q(ogrn=ogrn) if inn else Q(ogrn=ogrn)
        for organisation in Organisation.objects.filter(condition):
            match = found.setdefault(organisation.pk, Match(organisation, 100.0, by_identifier=True))
            if inn and organisation.inn == inn:
                match.reasons.append(_("INN matches"))
            if ogrn and organisation.ogrn == ogrn:
                match.reasons.append(_("OGRN matches"))
    for scheme, value in wanted.items():
        # Other countries' identifiers: few organisations have them, and the
        # JSON field has no portable index, so they are compared here.
        for organisation in Organisation.objects.filter(identifiers__has_key=scheme):
            theirs = str(organisation.identifiers.get(scheme) or "")
            if theirs and normalise_identifier(theirs) == value:
                match = found.setdefault(organisation.pk, Match(organisation, 100.0, by_identifier=True))
                match.reasons.append(_("Identifier %(scheme)s matches") % {"scheme": scheme})
    return found


def _has_latin(text: str) -> bool:
    return any("a" <= ch <= "z" for ch in text.casefold())


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _name_reasons(query: str, organisation: Organisation, score: float) -> list[str]:
    """Plain words for how the name matched."""
    native = names.name_score(query, organisation.name)
    english = names.name_score(query, organisation.name_en) if organisation.name_en else 0.0
    if english > native:
        if english >= PROTECTED_SCORE:
            return [_("English name matches")]
        return [_("English name is similar (a typo or a missing word?)")]
    reasons: list[str] = []
    if query.strip() == organisation.name.strip():
        return [_("Name matches exactly")]
    if names.normalise(query) == names.normalise(organisation.name):
        reasons.append(_("Name matches after ignoring legal form, quotes, case and punctuation"))
    elif score >= PROTECTED_SCORE:
        reasons.append(_("Name matches apart from word order or a small difference"))
    else:
        reasons.append(_("Name is similar (a typo, a missing or an extra word?)"))
    if _has_latin(query) and not _has_latin(organisation.name) and _has_cyrillic(organisation.name):
        reasons.append(_("Compared after transliteration from Latin to Cyrillic spelling"))
    elif _has_latin(query) and _has_cyrillic(query):
        reasons.append(_("Latin look-alike letters inside Cyrillic words were read as Cyrillic"))
    return reasons


def match(name: str, identifiers: dict[str, str]) -> Result:
    """The decision and its best matches for a query. Reads only indexed rows."""
    by_identifier = _identifier_matches(identifiers)
    query_keys = names.name_keys(name)
    scored: dict[int, float] = {}
    if query_keys:
        for candidate in index.get_index().candidates(query_keys):
            score = names.keys_score(query_keys, candidate.keys)
            if score >= REVIEW_SCORE:
                scored[candidate.pk] = score
    best = sorted(scored.items(), key=lambda item: -item[1])[:MAX_MATCHES]
    organisations = Organisation.objects.in_bulk([pk for pk, _score in best])
    matches = list(by_identifier.values())
    for pk, score in best:
        organisation = organisations.get(pk)
        if organisation is None:  # deleted since the index was built
            continue
        if pk in by_identifier:
            by_identifier[pk].reasons += _name_reasons(name, organisation, score)
            continue
        matches.append(Match(organisation, round(score, 1), _name_reasons(name, organisation, score)))
    return Result(_decide(matches, identifiers), matches[:MAX_MATCHES])


def _decide(matches: list[Match], identifiers: dict[str, str]) -> str:
    if not matches:
        return CLEAR
    if any(match.by_identifier for match in matches):
        return PROTECTED
    top = matches[0]
    if top.score >= PROTECTED_SCORE:
        given = {scheme.lower(): normalise_identifier(value) for scheme, value in identifiers.items()
                 if value}
        conflicting = [scheme for scheme in ("inn", "ogrn")
                       if given.get(scheme) and getattr(top.organisation, scheme)
                       and given[scheme] != getattr(top.organisation, scheme)]
        if conflicting:
            # Same name, another registration number: perhaps a namesake
            # company, perhaps a mistyped number. A person decides.
            top.reasons.append(_("The name matches but the %(identifiers)s given differs")
                               % {"identifiers": ", ".join(s.upper() for s in conflicting)})
            return REVIEW
        return PROTECTED
    return REVIEW
