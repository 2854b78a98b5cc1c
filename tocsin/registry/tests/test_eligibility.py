"""The 2010 rule set, criterion by criterion, on both sides of each boundary."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from tocsin.registry import eligibility
from tocsin.registry.eligibility import Facts, RuleSetError, current_rules, evaluate, rule_set

COVERED = ("AM", "AZ", "BY", "CN", "KZ", "KG", "MY", "RU", "TJ", "TM", "UZ", "VN")
NOT_COVERED = ("UA", "GE", "MD", "US", "MN", "AF", "KP", "LA")
DAY = datetime.date(2011, 6, 1)

NGO = Facts(kind="ngo", country="RU", government_share=Decimal("0"), not_for_profit=True,
            community_mission=True, on=DAY)
MEDIA = Facts(kind="media", country="RU", media_licence=True, on=DAY)


def with_(facts: Facts, **changes) -> Facts:
    return dataclasses.replace(facts, **changes)


def test_the_default_rule_set_is_the_2010_programme():
    rules = current_rules()
    assert rules.version == "2010"
    assert (rules.valid_from, rules.valid_until) == (datetime.date(2010, 12, 6), datetime.date(2012, 1, 1))
    assert rules.countries == frozenset(COVERED)


@pytest.mark.parametrize("country", COVERED)
@pytest.mark.parametrize("base", [NGO, MEDIA], ids=["ngo", "media"])
def test_each_programme_country_is_covered(base, country):
    assert evaluate(with_(base, country=country)).eligible
    assert evaluate(with_(base, country=country.lower())).eligible


@pytest.mark.parametrize("country", [*NOT_COVERED, "", None, "other"])
@pytest.mark.parametrize("base", [NGO, MEDIA], ids=["ngo", "media"])
def test_other_countries_are_not(base, country):
    decision = evaluate(with_(base, country=country))
    assert not decision.eligible
    assert len(decision.reasons) == 1


@pytest.mark.parametrize(("share", "eligible"), [
    ("0", True), ("9.99", True), ("10", False), ("10.00", False), ("10.01", False), ("100", False),
])
@pytest.mark.parametrize("kind", ["ngo", "journalists_association", "informal_group"])
def test_government_share_must_be_under_ten_per_cent(kind, share, eligible):
    decision = evaluate(with_(NGO, kind=kind, government_share=Decimal(share)))
    assert decision.eligible is eligible


@pytest.mark.parametrize("kind", ["ngo", "journalists_association", "informal_group"])
@pytest.mark.parametrize("criterion", ["government_share", "not_for_profit", "community_mission"])
@pytest.mark.parametrize("value", [None, False])
def test_each_ngo_criterion_is_required(kind, criterion, value):
    if criterion == "government_share" and value is False:
        value = Decimal("10")
    decision = evaluate(with_(NGO, kind=kind, **{criterion: value}))
    assert not decision.eligible
    assert len(decision.reasons) == 1


@pytest.mark.parametrize("standing", ["media_licence", "media_association", "media_recognition"])
def test_media_needs_any_one_standing(standing):
    bare = with_(MEDIA, media_licence=None)
    assert not evaluate(bare).eligible
    assert not evaluate(with_(bare, **{standing: False})).eligible
    assert evaluate(with_(bare, **{standing: True})).eligible


def test_media_is_not_judged_on_ngo_criteria():
    assert evaluate(with_(MEDIA, government_share=Decimal("60"), not_for_profit=False)).eligible


def test_an_ngo_is_not_covered_by_a_media_licence():
    assert not evaluate(Facts(kind="ngo", country="RU", media_licence=True, on=DAY)).eligible


@pytest.mark.parametrize(("day", "eligible"), [
    ("2010-12-05", False), ("2010-12-06", True), ("2012-01-01", True), ("2012-01-02", False),
])
def test_coverage_dates_include_both_ends(day, eligible):
    decision = evaluate(with_(NGO, on=datetime.date.fromisoformat(day)))
    assert decision.eligible is eligible


@pytest.mark.parametrize("kind", ["company", "", None])
def test_unknown_kinds_are_not_covered(kind):
    assert not evaluate(with_(NGO, kind=kind)).eligible


def test_a_decision_names_its_rule_set_and_day():
    decision = evaluate(NGO)
    assert decision.rule_set_version == "2010"
    assert decision.on == DAY


def test_a_refusal_gives_every_reason_at_once():
    decision = evaluate(Facts(kind="ngo", country="UA", on=datetime.date(2013, 1, 1)))
    assert decision.reasons == [
        "The programme does not cover UA; it covers only Armenia, Azerbaijan, Belarus, China, "
        "Kazakhstan, Kyrgyzstan, Malaysia, Russia, Tajikistan, Turkmenistan, Uzbekistan, Vietnam.",
        "We need to know what share of its funding comes from government (it must be under 10%).",
        "We need to know that it is not-for-profit.",
        "We need to know that its mission benefits the local community.",
        "Coverage ended on 2012-01-01.",
    ]


def test_it_accepts_a_mapping_and_an_organisation():
    from tocsin.registry.models import Organisation

    assert evaluate({"kind": "ngo", "country": "RU", "government_share": "9.99", "not_for_profit": True,
                     "community_mission": True, "on": DAY}).eligible
    org = Organisation(kind="media", country="KZ", media_recognition=True)
    assert evaluate(org, rule_set("2010").extended_until(datetime.date(2099, 1, 1))).eligible


def test_today_is_the_default_day():
    decision = evaluate(with_(NGO, on=None))
    assert decision.on == datetime.date.today() or decision.on > datetime.date(2026, 1, 1)
    assert not decision.eligible  # the 2010 rule set is not extended in tests


def test_an_operator_extends_coverage_and_the_version_says_so(settings):
    settings.COVERAGE_UNTIL = "2030-12-31"
    rules = current_rules()
    assert rules.version == "2010+until-2030-12-31"
    assert rules.valid_until == datetime.date(2030, 12, 31)
    decision = evaluate(with_(NGO, on=datetime.date(2030, 12, 31)))
    assert decision.eligible
    assert decision.rule_set_version == "2010+until-2030-12-31"
    assert not evaluate(with_(NGO, on=datetime.date(2031, 1, 1))).eligible


def test_a_bad_extension_date_is_a_loud_error(settings):
    settings.COVERAGE_UNTIL = "next year"
    with pytest.raises(RuleSetError):
        current_rules()


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    (tmp_path / "2010.toml").write_bytes((eligibility.RULES_DIR / "2010.toml").read_bytes())
    monkeypatch.setattr(eligibility, "RULES_DIR", tmp_path)
    eligibility.rule_set.cache_clear()
    yield tmp_path
    eligibility.rule_set.cache_clear()


def test_a_newer_rule_set_extends_the_old_one_and_becomes_current(rules_dir):
    (rules_dir / "2011.toml").write_text(
        'extends = "2010"\nversion = "2011"\nvalid_from = 2011-12-01\nvalid_until = 2013-06-30\n'
        'countries = ["RU", "UA"]\n[kinds.media]\nmedia_standing = ["licence"]\n')
    rules = current_rules()
    assert (rules.version, rules.valid_until) == ("2011", datetime.date(2013, 6, 30))
    assert evaluate(with_(NGO, country="UA", on=datetime.date(2013, 6, 30))).rule_set_version == "2011"
    assert evaluate(with_(NGO, country="UA", on=datetime.date(2013, 6, 30))).eligible
    # Kinds it does not restate come from 2010; media now need a licence.
    assert not evaluate(with_(MEDIA, media_licence=None, media_association=True,
                              on=datetime.date(2012, 6, 1))).eligible
    # The old version stays readable for decisions made under it.
    assert rule_set("2010").valid_until == datetime.date(2012, 1, 1)


def test_the_setting_pins_a_version(rules_dir, settings):
    (rules_dir / "2011.toml").write_text('extends = "2010"\nversion = "2011"\nvalid_from = 2011-12-01\n'
                                         'valid_until = 2013-06-30\n')
    settings.ELIGIBILITY_RULES = "2010"
    assert current_rules().version == "2010"


@pytest.mark.parametrize(("text", "message"), [
    ('version = "2011"\nvalid_from = 2011-01-01\n', "missing or bad"),
    ('version = "other"\nvalid_from = 2011-01-01\nvalid_until = 2012-01-01\ncountries = []\n',
     "names version"),
    ('version = "2011"\nvalid_from = 2012-01-01\nvalid_until = 2011-01-01\ncountries = []\n',
     "in order"),
    ('version = "2011"\nvalid_from = 2011-01-01\nvalid_until = 2012-01-01\ncountries = []\n'
     '[kinds.company]\nnot_for_profit = true\n', "unknown kind"),
    ('version = "2011"\nvalid_from = 2011-01-01\nvalid_until = 2012-01-01\ncountries = []\n'
     '[kinds.ngo]\nhas_website = true\n', "unknown criteria"),
    ('extends = "2011"\n', "extends itself"),
    ("version = \n", "2011.toml"),
])
def test_a_broken_rule_set_is_a_loud_error(rules_dir, text, message):
    (rules_dir / "2011.toml").write_text(text)
    with pytest.raises(RuleSetError, match=message):
        rule_set("2011")


def test_an_unknown_version_is_a_loud_error(rules_dir):
    with pytest.raises(RuleSetError, match="no rule set"):
        rule_set("1999")
