"""Who the licence programme covers, and when: rule sets as versioned configuration.

A rule set is a TOML file in ``tocsin/registry/rules/`` named after its
version. It is configuration kept in the repository, reviewed like code, and
never edited once published: a decision and every attestation name the
version that made them, so a police officer, a judge or an auditor can read
exactly which rules applied.

Coverage is extendable two ways, both recorded in the version a decision names:

- a newer rule set: add ``rules/2011.toml`` with ``extends = "2010"`` and a
  later ``valid_until`` (or other changes). The newest rule set (latest
  ``valid_from``, then version) is current, unless the ``ELIGIBILITY_RULES``
  setting (env ``TOCSIN_ELIGIBILITY_RULES``) names another version;
- an operator's override: the ``COVERAGE_UNTIL`` setting (env
  ``TOCSIN_COVERAGE_UNTIL``, an ISO date) moves the current rule set's last
  covered day; its version then reads ``"2010+until-2027-12-31"`` so the
  extension is never silent.

``evaluate(facts)`` answers "is this organisation covered on this day?": the
programme's criteria for the organisation's kind, its country, and the date
(``facts.on``, today when not given) inside the coverage period. Unknown facts
count against coverage and say so, so the answer is never a false "yes".
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.registry import countries

RULES_DIR = Path(__file__).resolve().parent / "rules"

KINDS = ("ngo", "media", "journalists_association", "informal_group")
MEDIA_STANDINGS = ("licence", "association", "recognition")
KNOWN_CRITERIA = frozenset({"government_share_under", "not_for_profit", "community_mission",
                            "media_standing"})


class RuleSetError(Exception):
    """A rule-set file is missing, malformed or inconsistent: a deployment error."""


@dataclasses.dataclass(frozen=True)
class RuleSet:
    version: str
    title: str
    valid_from: datetime.date
    # The last covered day (inclusive).
    valid_until: datetime.date
    countries: frozenset[str]
    # kind -> {criterion: parameter}
    kinds: Mapping[str, Mapping[str, Any]]

    def covers_date(self, on: datetime.date) -> bool:
        return self.valid_from <= on <= self.valid_until

    def extended_until(self, until: datetime.date) -> RuleSet:
        """This rule set with its last covered day moved, named so decisions show it."""
        return dataclasses.replace(self, version=f"{self.version}+until-{until.isoformat()}",
                                   valid_until=until)


@dataclasses.dataclass(frozen=True)
class Facts:
    """What an organisation says about itself; ``None`` means "not known"."""

    kind: str | None = None
    country: str | None = None
    # Per cent of funding from government, 0..100.
    government_share: Decimal | None = None
    not_for_profit: bool | None = None
    community_mission: bool | None = None
    media_licence: bool | None = None
    media_association: bool | None = None
    media_recognition: bool | None = None
    # The day coverage is asked about; today when None.
    on: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Decision:
    eligible: bool
    # Plain-language sentences: why covered (every criterion met), or every
    # reason it is not, so the organisation learns everything at once.
    reasons: list[str]
    rule_set_version: str
    on: datetime.date


def _parse(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RuleSetError(f"{path.name}: {e}") from e


def _raw(version: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A rule set's table with ``extends`` resolved (the newer file's keys win)."""
    if version in seen:
        raise RuleSetError(f"rule set {version!r} extends itself")
    path = RULES_DIR / f"{version}.toml"
    if not path.is_file():
        raise RuleSetError(f"no rule set {version!r} in {RULES_DIR}")
    data = _parse(path)
    base = data.pop("extends", None)
    if base is None:
        return data
    merged = _raw(str(base), (*seen, version))
    kinds = {**merged.get("kinds", {}), **data.pop("kinds", {})}
    merged.update(data)
    merged["kinds"] = kinds
    return merged


def _build(version: str) -> RuleSet:
    data = _raw(version)
    try:
        rules = RuleSet(
            version=str(data["version"]),
            title=str(data.get("title", "")),
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            countries=frozenset(str(c).upper() for c in data["countries"]),
            kinds={str(k): dict(v) for k, v in data.get("kinds", {}).items()},
        )
    except (KeyError, TypeError, ValueError) as e:
        raise RuleSetError(f"rule set {version!r}: missing or bad {e}") from e
    if rules.version != version:
        raise RuleSetError(f"{version}.toml names version {rules.version!r}")
    if not (isinstance(rules.valid_from, datetime.date)
            and isinstance(rules.valid_until, datetime.date)
            and rules.valid_from <= rules.valid_until):
        raise RuleSetError(f"rule set {version!r}: valid_from/valid_until must be dates in order")
    for kind, criteria in rules.kinds.items():
        if kind not in KINDS:
            raise RuleSetError(f"rule set {version!r}: unknown kind {kind!r}")
        unknown = set(criteria) - KNOWN_CRITERIA
        if unknown:
            raise RuleSetError(f"rule set {version!r}: unknown criteria {sorted(unknown)}")
    return rules


@functools.cache
def rule_set(version: str) -> RuleSet:
    """A published rule set by version (cached: files do not change at run time)."""
    return _build(version)


def versions() -> list[str]:
    """Every published version, oldest first (by valid_from, then name)."""
    found = [rule_set(p.stem) for p in RULES_DIR.glob("*.toml")]
    return [r.version for r in sorted(found, key=lambda r: (r.valid_from, r.version))]


def current_rules() -> RuleSet:
    """The rule set in force: the configured or newest version, with any operator extension."""
    version = getattr(settings, "ELIGIBILITY_RULES", "") or versions()[-1]
    rules = rule_set(version)
    until = getattr(settings, "COVERAGE_UNTIL", "") or ""
    if until:
        if isinstance(until, str):
            try:
                until = datetime.date.fromisoformat(until)
            except ValueError as e:
                raise RuleSetError(f"COVERAGE_UNTIL is not an ISO date: {until!r}") from e
        if until != rules.valid_until:
            rules = rules.extended_until(until)
    return rules


def _as_facts(facts: Facts | Mapping[str, Any] | Any) -> Facts:
    """Facts from a Facts, a mapping (a form's cleaned_data) or an Organisation-like object."""
    if isinstance(facts, Facts):
        return facts
    names = [f.name for f in dataclasses.fields(Facts)]
    if isinstance(facts, Mapping):
        values = {n: facts.get(n) for n in names}
    else:
        values = {n: getattr(facts, n, None) for n in names}
    share = values["government_share"]
    if share is not None and not isinstance(share, Decimal):
        try:
            values["government_share"] = Decimal(str(share))
        except InvalidOperation:
            values["government_share"] = None
    return Facts(**values)


def _percent(value: Decimal) -> str:
    """9.99 as "9.99", 10.00 as "10": people read shares without trailing zeros."""
    return format(value.normalize(), "f")


def _check_kind(criteria: Mapping[str, Any], f: Facts) -> tuple[list[str], list[str]]:
    """(met, unmet) plain-language reasons for the kind's criteria."""
    met: list[str] = []
    unmet: list[str] = []
    if "government_share_under" in criteria:
        limit = Decimal(str(criteria["government_share_under"]))
        if f.government_share is None:
            unmet.append(_("We need to know what share of its funding comes from government "
                           "(it must be under %(limit)s%%).") % {"limit": _percent(limit)})
        elif f.government_share < limit:
            met.append(_("Government funding (%(share)s%%) is under %(limit)s%%.")
                       % {"share": _percent(f.government_share), "limit": _percent(limit)})
        else:
            unmet.append(_("Government funding (%(share)s%%) is not under %(limit)s%%.")
                         % {"share": _percent(f.government_share), "limit": _percent(limit)})
    if criteria.get("not_for_profit"):
        if f.not_for_profit:
            met.append(_("It is not-for-profit."))
        elif f.not_for_profit is None:
            unmet.append(_("We need to know that it is not-for-profit."))
        else:
            unmet.append(_("It must be not-for-profit."))
    if criteria.get("community_mission"):
        if f.community_mission:
            met.append(_("Its mission benefits the local community."))
        elif f.community_mission is None:
            unmet.append(_("We need to know that its mission benefits the local community."))
        else:
            unmet.append(_("Its mission must benefit the local community."))
    standings = criteria.get("media_standing")
    if standings:
        held = {"licence": f.media_licence, "association": f.media_association,
                "recognition": f.media_recognition}
        # Whole sentences, and nouns for the list: a translation never has to
        # fit a fragment into a sentence it cannot see.
        met_as = {
            "licence": _("It holds a local mass-media licence."),
            "association": _("It is a member of a local media association."),
            "recognition": _("It is recognised by an international media organisation."),
        }
        options = {
            "licence": _("a local mass-media licence"),
            "association": _("membership of a local media association"),
            "recognition": _("recognition by an international media organisation"),
        }
        have = [met_as[s] for s in standings if held.get(s)]
        if have:
            met.append(have[0])
        else:
            unmet.append(_("A media outlet must show at least one of: %(options)s.")
                         % {"options": "; ".join(str(options[s]) for s in standings)})
    return met, unmet


def evaluate(facts: Facts | Mapping[str, Any] | Any, rules: RuleSet | None = None) -> Decision:
    """Decide coverage under ``rules`` (the current rule set by default).

    Pure: reads no database and stores nothing, so the public self-check can
    call it for anonymous visitors.
    """
    rules = rules or current_rules()
    f = _as_facts(facts)
    on = f.on or timezone.localdate()
    met: list[str] = []
    unmet: list[str] = []

    country = (f.country or "").strip().upper()
    if not country:
        unmet.append(_("We need to know the country."))
    elif country in rules.countries:
        met.append(_("The programme covers %(country)s.") % {"country": countries.name(country)})
    else:
        covered = ", ".join(sorted(countries.name(c) for c in rules.countries))
        if countries.is_known(country):
            unmet.append(_("The programme does not cover %(country)s; it covers only %(countries)s.")
                         % {"country": countries.name(country), "countries": covered})
        else:
            unmet.append(_("The programme covers only %(countries)s.") % {"countries": covered})

    criteria = rules.kinds.get(f.kind or "")
    if criteria is None:
        unmet.append(_("The programme does not cover this kind of organisation."))
    else:
        kind_met, kind_unmet = _check_kind(criteria, f)
        met += kind_met
        unmet += kind_unmet

    if on < rules.valid_from:
        unmet.append(_("Coverage starts on %(start)s.") % {"start": rules.valid_from.isoformat()})
    elif on > rules.valid_until:
        unmet.append(_("Coverage ended on %(end)s.") % {"end": rules.valid_until.isoformat()})
    else:
        met.append(_("%(day)s is inside the coverage period (%(start)s to %(end)s).")
                   % {"day": on.isoformat(), "start": rules.valid_from.isoformat(),
                      "end": rules.valid_until.isoformat()})

    eligible = not unmet
    return Decision(eligible=eligible, reasons=met if eligible else unmet,
                    rule_set_version=rules.version, on=on)
