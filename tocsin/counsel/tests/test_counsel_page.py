"""/counsel/: the public list and its search box. No login, no script."""

from __future__ import annotations

import re

import pytest
from django.test import Client


def page(**params: str):  # type: ignore[no-untyped-def]
    return Client().get("/counsel/", params)


def test_it_lists_those_authorised_today_and_nobody_else(the_list):
    response = page()
    assert response.status_code == 200
    html = response.content.decode()
    listed = html[html.index('id="authorised"'):]
    for key in ("ivanov", "smirnova", "firm"):
        assert the_list[key].name.replace("«", "&laquo;").replace("»", "&raquo;") in listed \
            or the_list[key].name in listed
    for key in ("petrov", "sidorov", "kuznetsov"):
        assert the_list[key].name not in html
    assert "77/5678" in listed
    assert "Gorodissky &amp; Partners" in listed


def test_it_says_when_nobody_is_authorised(db):
    assert "Nobody is authorised" in page().content.decode()


def test_it_answers_yes_for_an_authorised_lawyer(the_list):
    html = page(name="Ivanov Ivan Ivanovich").content.decode()
    assert "is authorised to act for the company" in html
    assert "Compare the registration number" in html


def test_it_answers_no_for_someone_not_on_the_list(the_list):
    html = page(name="Кузьмин Олег").content.decode()
    assert "is not on the list: they are not authorised" in html
    assert 'href="/report/"' in html


def test_it_answers_no_for_a_withdrawn_authorisation(the_list):
    html = page(name="Петров Пётр Петрович").content.decode()
    assert "is not authorised to act for the company any more" in html
    assert the_list["petrov"].withdrawn_at.date().isoformat() in html
    assert "valued seized software" not in html


def test_it_shows_similar_names_without_confirming_them(the_list):
    html = page(name="Ivan Ivanov").content.decode()
    assert "Nobody called exactly" in html
    assert "Иванов Иван Иванович" in html


@pytest.mark.parametrize(("name", "message"), [
    ("", "Give the name"), ("x" * 400, "longer than 300"), ("...", "no letters")])
def test_it_refuses_a_bad_name_beside_the_field(the_list, name, message):
    response = page(name=name)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name-errors"' in html and message in html


def test_it_has_no_script_and_no_inline_style(the_list):
    html = page(name="Ivanov").content.decode()
    assert "<script" not in html
    assert not re.search(r"\sstyle=", html)


def test_it_refuses_posts(db):
    assert Client().post("/counsel/", {"name": "x"}).status_code == 405
