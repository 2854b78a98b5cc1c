# ruff: noqa: RUF001 -- Cyrillic names and «» quotes are the data here
"""Normalisation and name matching: the ways paperwork writes one name."""

from __future__ import annotations

import iuliia
import pytest

from tocsin.screening.legal_forms import LEGAL_FORMS
from tocsin.screening.names import name_keys, name_score, normalise, skeleton

LEVADA = "Автономная некоммерческая организация «Аналитический центр Юрия Левады»"
SCHEMES = [iuliia.GOST_779_ALT, iuliia.GOST_779, iuliia.BGN_PCGN, iuliia.ICAO_DOC_9303,
           iuliia.WIKIPEDIA, iuliia.YANDEX_MAPS, iuliia.MOSMETRO, iuliia.SCIENTIFIC]


def test_it_ignores_case_quotes_and_punctuation():
    assert normalise('АНО "АНАЛИТИЧЕСКИЙ ЦЕНТР ЮРИЯ ЛЕВАДЫ"') == normalise(LEVADA)
    assert name_score("«Аналитический центр» — Юрия Левады!", LEVADA) == 100


@pytest.mark.parametrize("written", [
    "АНО «Аналитический центр Юрия Левады»",
    "Аналитический центр Юрия Левады",
    'Autonomous Non-Profit Organization "Аналитический центр Юрия Левады"',
    "Аналитический центр Юрия Левады, АНО",
    "Автономной некоммерческой организации «Аналитический центр Юрия Левады»",
])
def test_it_drops_legal_forms_in_russian_and_english(written):
    assert normalise(written) == normalise(LEVADA)


def test_it_keeps_the_legal_form_table_as_data():
    codes = {code for code, _phrases in LEGAL_FORMS}
    assert {"ANO", "MOO", "ROO", "NKO", "BF", "OO", "F", "A", "OOO"} <= codes


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda scheme: scheme.name)
def test_it_reads_every_transliteration_scheme_as_the_same_name(scheme):
    assert normalise(scheme.translate(LEVADA)) == normalise(LEVADA)


@pytest.mark.parametrize(("one", "other"), [
    ("kh", "h"), ("kh", "x"), ("ts", "c"), ("tc", "c"), ("cz", "c"), ("zh", "z"),
    ("shch", "sch"), ("shch", "shh"), ("ya", "ia"), ("ya", "ja"), ("yu", "iu"), ("yu", "ju"),
    ("yo", "e"), ("jo", "e"), ("ye", "e"), ("y", "i"), ("j", "i"), ("nn", "n"),
])
def test_it_collapses_what_schemes_write_differently(one, other):
    assert skeleton(f"a{one}a") == skeleton(f"a{other}a")


def test_it_drops_soft_and_hard_signs():
    assert normalise("Объявление Тольятти") == normalise("Obyavlenie Tolyatti")
    assert normalise("obʺâvlenie Tolʹâtti") == normalise("Объявление Тольятти")


def test_it_reads_look_alike_latin_letters_inside_cyrillic_words():
    # Latin o, p, e, c, a, H typed inside Cyrillic words.
    assert normalise("Мемoриал") == normalise("Мемориал")
    assert normalise("ПPABOЗAЩИTHЫЙ ЦEHTP") == normalise("Правозащитный центр")


def test_it_keeps_a_cyrillic_word_with_one_stray_latin_letter_cyrillic():
    # "q" is on the key of "й": a layout switch, not a Latin word.
    assert name_score("Свободный вестнqк", "Свободный вестник") >= 85


def test_it_reads_look_alike_cyrillic_letters_inside_latin_words():
    assert normalise("Mеmоriаl") == normalise("Memorial")


def test_it_ignores_word_order():
    assert name_score("Центр Левады Юрия аналитический", LEVADA) == 100


@pytest.mark.parametrize("typo", ["Аналитичский центр Юрия Левады", "Аналитический цнетр Юрия Левады",
                                  "Аналитический центр Юриия Левады", "Analiticheskij centr Jurja Levady"])
def test_it_tolerates_typos(typo):
    assert name_score(typo, LEVADA) >= 85


def test_it_matches_english_names_with_their_legal_form():
    assert name_score('Charitable Foundation "Public Verdict Foundation"', "Public Verdict Foundation") == 100


def test_it_tells_different_numbers_apart():
    assert name_score("Уральский центр 218", "Уральский центр 812") < 70
    assert name_score("Уральский центр 218", "Уральский центр 219") >= 78


def test_it_scores_unrelated_names_low():
    assert name_score("ООО «НефтеХим 70»", LEVADA) < 50
    assert name_score("Ivanov Ivan", "Петров Пётр") < 50


def test_it_matches_people_for_the_counsel_list():
    assert name_score("Иванов Иван Иванович", "IVANOV Ivan Ivanovich") == 100
    assert name_score("Ivanov, Ivan", "Иван Иванов") == 100


def test_it_gives_empty_names_no_keys():
    assert name_keys("«»") == ()
    assert normalise("") == ""
    assert name_score("", LEVADA) == 0


def test_it_keeps_doubled_digits():
    assert normalise("Центр 88") != normalise("Центр 8")
