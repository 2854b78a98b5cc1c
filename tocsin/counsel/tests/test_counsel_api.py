"""GET /api/v1/counsel?name=…: public, matched like screening, nothing stored."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def ask(name: str | None = None, **params: str):  # type: ignore[no-untyped-def]
    query = dict(params)
    if name is not None:
        query["name"] = name
    return Client().get("/api/v1/counsel", query)


@pytest.mark.parametrize("spelling", [
    "Иванов Иван Иванович",
    "ИВАНОВ ИВАН ИВАНОВИЧ",
    "Ivanov Ivan Ivanovich",          # passport / BGN
    "Ivanov Ivan Ivanovič",           # scientific
    "Иван Иванович Иванов",           # word order
    "Иваонв Иван Иванович",           # a typo
    "Ivanov Ivan Ivanovitch",         # everyday French-style
])
def test_it_confirms_an_authorised_lawyer_in_any_spelling(the_list, spelling):
    response = ask(spelling)
    assert response.status_code == 200
    data = response.json()
    assert data["authorised"] is True
    best = data["matches"][0]
    assert best["name"] == "Иванов Иван Иванович"
    assert best["kind"] == "lawyer"
    assert best["firm"] == "Городисский и партнёры"
    assert best["country"] == "RU"
    assert best["registration_number"] == "77/5678"
    assert best["standing"] == "authorised"
    assert best["score"] >= 90


@pytest.mark.parametrize("spelling", [
    "Gorodissky & Partners", "ООО Юридическая фирма Городисский и партнеры",  # noqa: RUF001
    "Юридическая фирма «Городисский и партнёры»", "GORODISSKY AND PARTNERS",
])
def test_it_confirms_an_authorised_firm_by_its_local_or_english_name(the_list, spelling):
    data = ask(spelling).json()
    assert data["authorised"] is True
    assert data["matches"][0]["kind"] == "firm"


def test_a_similar_name_is_shown_but_never_confirmed(the_list):
    # No patronymic: likely the same man, but "authorised" is said only when
    # near-certain; the registration number is there to compare.
    data = ask("Ivan Ivanov").json()
    assert data["authorised"] is False
    assert data["matches"][0]["name"] == "Иванов Иван Иванович"
    assert data["matches"][0]["standing"] == "authorised"


def test_another_person_of_the_same_surname_is_not_confirmed(the_list):
    data = ask("Иванов Пётр Иванович").json()
    assert data["authorised"] is False


def test_someone_unknown_is_not_authorised_and_matches_nobody(the_list):
    assert ask("Кузьмин Олег Викторович").json() == {"authorised": False, "matches": []}


def test_a_withdrawn_authorisation_answers_no_and_says_when(the_list):
    data = ask("Petrov Petr Petrovich").json()
    assert data["authorised"] is False
    match = data["matches"][0]
    assert match["standing"] == "withdrawn"
    assert match["withdrawn_on"] == the_list["petrov"].withdrawn_at.date().isoformat()
    assert "reason" not in match and "valued" not in str(data)


def test_an_ended_authorisation_answers_no(the_list):
    data = ask("Сидоров Семён Семёнович").json()
    assert data["authorised"] is False
    assert data["matches"][0]["standing"] == "expired"
    assert data["matches"][0]["authorised_until"] == the_list["sidorov"].authorised_until.isoformat()


def test_an_authorisation_not_yet_started_is_not_shown(the_list):
    assert ask("Кузнецов Кирилл Кириллович").json() == {"authorised": False, "matches": []}


def test_the_last_day_still_counts(authorise):
    from django.utils import timezone
    authorise("Орлова Ольга Олеговна", authorised_until=timezone.localdate())
    assert ask("Орлова Ольга Олеговна").json()["authorised"] is True


def test_it_needs_no_login_and_stores_nothing(the_list):
    with CaptureQueriesContext(connection) as context:
        assert ask("Ivanov Ivan Ivanovich").status_code == 200
    writes = [q["sql"] for q in context.captured_queries
              if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


@pytest.mark.parametrize(("name", "message"), [
    (None, "Give the name"), ("", "Give the name"), ("   ", "Give the name"),
    ("x" * 301, "longer than 300"), ("«» — !!! ...", "no letters"),
])
def test_it_refuses_a_missing_or_unusable_name_naming_it(the_list, name, message):
    response = ask(name)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["name"]
    assert message in errors["name"][0]


def test_a_name_of_300_characters_is_fine(the_list):
    assert ask("Иванов " * 42 + "Ив").status_code == 200
