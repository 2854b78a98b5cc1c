"""The reporter's language: Russian from Accept-Language or the switcher, and
every error in the language of the page.

The expected Russian is read from the catalogue itself, so the tests do not
depend on its wording; ``russian()`` fails while a string has no translation.
Tests marked "catalogue" need tocsin/locale/ru/LC_MESSAGES/django.mo, which is
being written alongside these tests."""

from __future__ import annotations

import html
import re

from django.test import Client, override_settings
from django.utils import translation

from tocsin.conftest import VALID_REPORT

from .conftest import ApiChannel, FormChannel, Reporter, form_errors

RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}


def russian(text: str) -> str:
    with translation.override("ru"):
        translated = translation.gettext(text)
    assert translated != text, f"the Russian catalogue has no translation for {text!r}"
    return translated


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def switch_language(client: Client, language: str) -> None:
    page = client.get("/report/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post("/i18n/setlang/", {"language": language, "next": "/report/",
                                              "csrfmiddlewaretoken": token[1]})
    assert response.status_code == 302 and response["Location"] == "/report/"


def test_it_shows_the_form_in_russian_when_the_browser_asks(rita):
    # catalogue
    response = Client().get("/report/", headers=RUSSIAN)
    page = page_text(response)
    assert '<html lang="ru">' in page
    for text in ["Report an incident", "Fields marked * are required.", "What happened, in your words",
                 "Send the report", "Choose all that apply."]:
        assert russian(text) in page, text
    assert "Россия" in page  # country names come translated from django-countries


def test_it_shows_the_form_in_english_by_default(rita):
    page = page_text(Client().get("/report/"))
    assert '<html lang="en">' in page and "Report an incident" in page


def test_it_switches_to_russian_and_back_with_the_switcher(rita):
    # catalogue
    client = Client(enforce_csrf_checks=True)
    switch_language(client, "ru")
    page = page_text(client.get("/report/"))
    assert '<html lang="ru">' in page and russian("Report an incident") in page
    switch_language(client, "en")
    assert '<html lang="en">' in page_text(client.get("/report/"))


def test_it_offers_the_switcher_on_the_form(rita):
    page = Client().get("/report/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'name="language" value="ru"' in page and 'name="language" value="en"' in page


def test_it_names_errors_in_russian_on_the_russian_form(rita, nothing_stored):
    # catalogue
    reporter = Reporter(headers=RUSSIAN)
    response = reporter.send({"occurred_on": "2026-02-30", "act_types": ["arson"]}, without=("narrative",))
    assert response.status_code == 400
    errors = form_errors(response)
    assert errors["narrative"] == [russian("Tell us what happened; a few sentences are enough.")]
    assert errors["occurred_on"] == [russian("There is no such date. Check the month and the day.")]
    assert errors["act_types"] == [russian("“%(value)s” is not one of the choices.") % {"value": "arson"}]
    assert russian("What happened, in your words") in page_text(response)
    nothing_stored()


def test_it_names_errors_in_russian_after_the_switcher(rita, nothing_stored):
    # catalogue
    reporter = Reporter()
    switch_language(reporter.client, "ru")
    response = reporter.send(without=("country",))
    assert form_errors(response)["country"] == [russian("Choose the country where it happened.")]
    nothing_stored()


def test_it_answers_the_api_in_russian_when_asked(rita, api, nothing_stored):
    # catalogue
    api.headers.update(RUSSIAN)
    response = api.send_json({**VALID_REPORT, "narrative": "", "nickname": "x"})
    assert response.json()["errors"] == {"nickname": [russian("Unknown field.")]}
    response = api.send_json({**VALID_REPORT, "narrative": ""})
    assert response.json()["detail"] == russian("The report was not accepted.")
    assert response.json()["errors"]["narrative"] == [
        russian("Tell us what happened; a few sentences are enough.")]
    nothing_stored()


def test_it_answers_the_api_in_the_language_of_the_report(rita, api):
    # catalogue
    response = api.send_json({**VALID_REPORT, "language": "ru", "occurred_on": "2026-02-30"})
    assert response.json()["errors"]["occurred_on"] == [
        russian("There is no such date. Check the month and the day.")]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_it_refuses_a_body_over_the_limit_in_the_pages_language(rita, nothing_stored):
    # catalogue
    expected = russian("The text fields are too long. The limit is %(kb)s KB.") % {"kb": 4}
    for channel in [FormChannel(RUSSIAN), ApiChannel(RUSSIAN)]:
        response = channel.send({"narrative": "x" * 5000})
        assert response.status_code == 413
        assert channel.errors(response)["__all__"] == [expected], channel.name
    nothing_stored()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_it_does_not_carry_one_reporters_language_to_the_next(rita, nothing_stored):
    # catalogue: a refusal comes before the language middleware; Russian from
    # the request before must not reach the English reporter after it.
    russian("The text fields are too long. The limit is %(kb)s KB.")
    assert FormChannel(RUSSIAN).send({"narrative": "x" * 5000}).status_code == 413
    english = ApiChannel({"Accept-Language": "en"}).send({"narrative": "x" * 5000})
    assert english.json()["detail"] == "The text fields are too long. The limit is 4 KB."
    nothing_stored()


def test_it_shows_the_receipt_and_the_follow_up_in_russian(rita):
    # catalogue
    reporter = Reporter(headers=RUSSIAN)
    response = reporter.send()
    assert response.status_code == 201
    assert russian("Your receipt") in page_text(response)
    wrong = reporter.follow_up("12345")
    assert russian("Receipt: no report has this receipt. Check the digits and try again.") in page_text(wrong)


def test_it_says_in_russian_that_reports_cannot_be_received_yet(db):
    # catalogue
    response = Client().get("/report/", headers=RUSSIAN)
    assert response.status_code == 503
    assert russian("Reports cannot be received yet") in page_text(response)
