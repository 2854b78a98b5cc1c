"""The report form at /report/: a reporter without JavaScript sends a report
and sees a receipt once."""

from __future__ import annotations

import re

from tocsin.cases.models import Case

from .conftest import PDF, Reporter, Upload, form_errors, receipt_of, reference_of

RECEIPT = re.compile(r"^\d{5}-\d{5}-\d{5}-\d{5}-\d{5}$")


def test_it_shows_the_form_with_required_fields_marked(rita, reporter):
    response = reporter.open_form()
    assert response.status_code == 200
    page = response.content.decode()
    for name in ["act_types", "occurred_on", "country", "locality", "perpetrator_type",
                 "perpetrator_name", "company", "items_seized_count", "items_seized_kind",
                 "organisation", "narrative", "contact_kind", "contact", "files"]:
        assert f'name="{name}"' in page, name
    for required in ["act_types", "occurred_on", "country", "narrative"]:
        block = re.search(rf'id="field-{required}">(.*?)</(?:label|legend)>', page, re.S)
        assert block and 'class="required"' in block[1], required
    for optional in ["organisation", "contact", "files"]:
        block = re.search(rf'id="field-{optional}">(.*?)</(?:label|legend)>', page, re.S)
        assert block and 'class="required"' not in block[1], optional
    assert 'enctype="multipart/form-data"' in page


def test_it_works_without_javascript_or_third_parties(rita, reporter):
    response = reporter.open_form()
    page = response.content.decode()
    assert "<script" not in page
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', page)
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_it_lists_the_programme_countries_first(rita, reporter):
    page = reporter.open_form().content.decode()
    codes = re.findall(r'<option value="([A-Z]{2})"', page)
    assert codes[:12] == ["AM", "AZ", "BY", "CN", "KZ", "KG", "MY", "RU", "TJ", "TM", "UZ", "VN"]
    assert len(codes) > 200


def test_it_stores_a_report_and_shows_the_receipt_once(rita, reporter):
    response = reporter.send(files=[Upload("warrant.pdf", PDF, "application/pdf")])
    assert response.status_code == 201
    receipt = receipt_of(response)
    assert RECEIPT.match(receipt)
    case = Case.objects.get(reference=reference_of(response))
    assert case.evidence.count() == 1
    assert "no-store" in response["Cache-Control"]
    assert "/followup/" in response.content.decode()


def test_it_gives_every_report_its_own_receipt_and_reference(rita, reporter):
    first, second = reporter.send(), reporter.send()
    assert receipt_of(first) != receipt_of(second)
    assert reference_of(first) != reference_of(second)
    assert Case.objects.count() == 2


def test_it_refuses_a_report_without_the_csrf_token(rita, nothing_stored):
    reporter = Reporter()
    reporter.open_form()  # holds the CSRF cookie, but the token is left out of the body
    response = reporter.send(files=[Upload("warrant.pdf", PDF, "application/pdf")], csrf=False)
    assert response.status_code == 403
    nothing_stored()


def test_it_refuses_a_report_with_a_token_from_another_visitor(rita, nothing_stored):
    someone_else = Reporter()
    token = someone_else.csrf_token()
    reporter = Reporter()
    reporter.open_form()
    response = reporter.send({"csrfmiddlewaretoken": token}, csrf=False)
    assert response.status_code == 403
    nothing_stored()


def test_it_names_the_missing_fields_and_says_how_to_fix_them(rita, reporter, nothing_stored):
    response = reporter.send(without=("act_types", "occurred_on", "country", "narrative"))
    assert response.status_code == 400
    errors = form_errors(response)
    assert errors == {
        "act_types": ["Choose at least one thing that happened."],
        "occurred_on": ["Give the year, the month or the day it happened."],
        "country": ["Choose the country where it happened."],
        "narrative": ["Tell us what happened; a few sentences are enough."],
    }
    nothing_stored()


def test_it_keeps_what_the_reporter_typed_when_something_is_wrong(rita, reporter):
    response = reporter.send({"occurred_on": "2026-02-30", "narrative": "They came at dawn."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "They came at dawn." in page
    assert 'value="2026-02-30"' in page
    assert "There is no such date" in page


def test_it_accepts_a_report_with_only_the_required_fields(rita, reporter):
    response = reporter.send({"act_types": ["summons"], "occurred_on": "2025", "country": "KZ",
                              "narrative": "A summons for questioning."},
                             without=("locality", "perpetrator_type", "perpetrator_name", "company",
                                      "items_seized_count", "items_seized_kind", "organisation",
                                      "contact_kind", "contact"))
    assert response.status_code == 201
    case = Case.objects.get(reference=reference_of(response))
    assert (case.act_types, case.occurred_on, case.occurred_precision) == (["summons"], "2025", "year")
    assert case.perpetrator_type == "" and case.items_seized_count is None
