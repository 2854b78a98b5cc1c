"""Markup in any field is text: shown escaped to responders and reporters."""

from __future__ import annotations

import html

from tocsin.cases.models import Case
from tocsin.conftest import VALID_REPORT

from .conftest import TEXT, Upload, form_errors, reply

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'


def assert_escaped(page: str, markup: str) -> None:
    assert markup not in page
    assert html.escape(markup) in page or html.escape(markup, quote=False) in page


def test_it_shows_markup_escaped_on_the_case_page(rita, api, logged_in):
    fields = {"locality": f"Irkutsk {SCRIPT}", "perpetrator_name": f"Unit {IMAGE}",
              "company": f"Micro{SCRIPT}soft", "organisation": f"<b>Wave</b>{IMAGE}",
              "narrative": f"They came.\n{SCRIPT}\n<a href='javascript:alert(3)'>link</a>"}
    response = api.send_multipart(
        {**fields, "items_seized_kind": f"{IMAGE} laptops", "contact_kind": "email",
         "contact": '"<i>wave</i>"@example.org'},
        files=[Upload(f"{IMAGE}.txt", TEXT, "text/plain")])
    assert response.status_code == 201, response.content
    page = logged_in(rita).get(f"/staff/cases/{response.json()['reference']}/").content.decode()
    assert_escaped(page, SCRIPT)
    assert_escaped(page, IMAGE)
    assert_escaped(page, "<b>Wave</b>")
    assert_escaped(page, "<a href='javascript:alert(3)'>")
    assert_escaped(page, '"<i>wave</i>"@example.org')
    assert page.count("<script") == 0


def test_it_shows_markup_escaped_on_the_followup_page(rita, report, reporter, logged_in):
    receipt, reference = report(narrative=SCRIPT)
    responder = logged_in(rita)
    reply = responder.post(f"/staff/cases/{reference}/messages/", {"body": f"We read it. {IMAGE}{SCRIPT}"})
    assert reply.status_code == 302
    page = reporter.follow_up(receipt).content.decode()
    assert "We read it." in page
    assert_escaped(page, IMAGE)
    assert_escaped(page, SCRIPT)


def test_it_returns_markup_as_plain_json_text(rita, report, api):
    receipt, reference = report()
    reply(Case.objects.get(reference=reference), rita, SCRIPT)
    response = api.status(f"Receipt {receipt}")
    assert response["Content-Type"] == "application/json"
    assert response.json()["messages"][0]["body"] == SCRIPT


def test_it_echoes_markup_escaped_when_the_form_is_refused(rita, reporter):
    response = reporter.send({"act_types": [SCRIPT], "narrative": f"x{IMAGE}", "locality": "a\x00" + SCRIPT,
                              "country": IMAGE})
    assert response.status_code == 400
    page = response.content.decode()
    assert_escaped(page, SCRIPT)
    assert_escaped(page, IMAGE)
    assert form_errors(response)["act_types"] == [f"“{SCRIPT}” is not one of the choices."]


def test_it_stores_markup_as_the_reporter_typed_it(rita, api):
    response = api.send_json({**VALID_REPORT, "company": SCRIPT})
    assert Case.objects.get(reference=response.json()["reference"]).company == SCRIPT
