# ruff: noqa: RUF001 -- Cyrillic names and «» quotes are the data here
"""Property: a registered organisation's name, put through any supported
transliteration, a change of legal form or a single typo, is never ``clear``."""

from __future__ import annotations

import csv
import re

import iuliia
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.screening import evaluation, matching
from tocsin.screening.legal_forms import LEGAL_FORMS
from tocsin.screening.names import name_score

SCHEMES = [iuliia.GOST_779_ALT, iuliia.GOST_779, iuliia.BGN_PCGN, iuliia.ICAO_DOC_9303,
           iuliia.WIKIPEDIA]
with (evaluation.DEV_SET / "registry.csv").open(encoding="utf-8", newline="") as _handle:
    REGISTERED = [row["name"] for row in csv.DictReader(_handle)]
PHRASES = [phrase for _code, phrases in LEGAL_FORMS for phrase in phrases]
TYPO_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz0123456789 -"

ADJECTIVES = ["Свободный", "Правовой", "Сибирский", "Женский", "Молодёжный", "Экологический",
              "Независимый", "Уральский", "Народный", "Гражданский", "Волжский", "Северный"]
NOUNS = ["центр", "голос", "альянс", "дом", "мост", "форум", "союз", "круг", "щит", "вестник",
         "журнал", "юрист", "ковчег", "очаг", "фронт", "взгляд"]
FORMS = ["Автономная некоммерческая организация", "Благотворительный фонд",
         "Региональная общественная организация", "Общественная организация",
         "Межрегиональная общественная организация", "АНО", "МОО", "БФ"]


@st.composite
def generated_names(draw: st.DrawFn) -> str:
    words = [draw(st.sampled_from(ADJECTIVES)), draw(st.sampled_from(NOUNS))]
    if draw(st.booleans()):
        words.append(draw(st.sampled_from(["Иркутска", "Поволжья", "Кавказа", "Юрия Левады"])))
    return f"{draw(st.sampled_from(FORMS))} «{' '.join(words)}»"


@st.composite
def typo(draw: st.DrawFn, name: str) -> str:
    kind = draw(st.sampled_from(["insert", "delete", "substitute", "transpose"]))
    at = draw(st.integers(0, len(name) - (0 if kind == "insert" else 1 if kind != "transpose" else 2)))
    letter = draw(st.sampled_from(TYPO_LETTERS))
    if kind == "insert":
        return name[:at] + letter + name[at:]
    if kind == "delete":
        return name[:at] + name[at + 1:]
    if kind == "substitute":
        return name[:at] + letter + name[at + 1:]
    return name[:at] + name[at + 1] + name[at] + name[at + 2:]


@st.composite
def legal_form_change(draw: st.DrawFn, name: str) -> str:
    core = re.sub(r"^[^«]*«|»[^»]*$", "", name) if "«" in name else name
    form = draw(st.sampled_from(["", *PHRASES]))
    quotes = draw(st.sampled_from(["«{}»", '"{}"', "{}", "“{}”"]))
    where = draw(st.sampled_from(["before", "after"]))
    quoted = quotes.format(core)
    if not form:
        return quoted
    form = draw(st.sampled_from([form, form.upper(), form.title()]))
    return f"{form} {quoted}" if where == "before" else f"{quoted}, {form}"


@st.composite
def variants(draw: st.DrawFn, name: str) -> str:
    how = draw(st.sampled_from(["transliteration", "legal_form", "typo", "typo_of_transliteration"]))
    if how == "transliteration":
        return draw(st.sampled_from(SCHEMES)).translate(name)
    if how == "legal_form":
        return draw(legal_form_change(name))
    if how == "typo":
        return draw(typo(name))
    return draw(typo(draw(st.sampled_from(SCHEMES)).translate(name)))


@pytest.fixture
def dev_registry(db: None) -> None:
    evaluation.load_registry()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_registered_name_in_any_spelling_is_never_clear(dev_registry, data):
    name = data.draw(st.sampled_from(REGISTERED), label="registered")
    variant = data.draw(variants(name), label="variant")
    result = matching.match(variant, {})
    assert result.decision != matching.CLEAR, (name, variant)


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_a_generated_name_in_any_spelling_scores_at_least_review(data):
    name = data.draw(generated_names(), label="name")
    variant = data.draw(variants(name), label="variant")
    assert name_score(variant, name) >= matching.REVIEW_SCORE, (name, variant)
