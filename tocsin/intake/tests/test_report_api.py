"""POST /api/v1/reports: the same report as the form, as JSON or multipart."""

from __future__ import annotations

import re

from django.test import Client

from tocsin.cases.models import Case
from tocsin.conftest import VALID_REPORT

from .conftest import PDF, PNG, Upload

RECEIPT = re.compile(r"^\d{5}-\d{5}-\d{5}-\d{5}-\d{5}$")
REFERENCE = re.compile(r"^TX-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


def test_it_stores_a_json_report_and_answers_with_receipt_and_reference(rita, api):
    response = api.send_json(VALID_REPORT)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"receipt", "reference"}
    assert RECEIPT.match(body["receipt"])
    assert REFERENCE.match(body["reference"])
    assert Case.objects.filter(reference=body["reference"]).exists()
    assert "no-store" in response["Cache-Control"]


def test_it_stores_a_multipart_report_with_files(rita, api):
    response = api.send_multipart(files=[Upload("warrant.pdf", PDF, "application/pdf"),
                                         Upload("door.png", PNG, "image/png")])
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.evidence.count() == 2
    assert (case.country, case.items_seized_count) == ("RU", 4)


def test_it_accepts_a_report_with_only_the_required_fields(rita, api):
    response = api.send_json({"act_types": ["blocking"], "occurred_on": "2024-07",
                              "country": "VN", "narrative": "Our site is blocked."})
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert (case.act_types, case.occurred_on, case.occurred_precision) == (["blocking"], "2024-07", "month")


def test_it_treats_null_as_absent(rita, api):
    response = api.send_json({**VALID_REPORT, "organisation": None, "contact": None,
                              "items_seized": None, "perpetrator_type": None})
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.items_seized_count is None and case.perpetrator_type == ""


def test_it_records_the_language_the_report_asks_for(rita, api):
    response = api.send_json({**VALID_REPORT, "language": "ru"})
    assert Case.objects.get(reference=response.json()["reference"]).language == "ru"


def test_it_records_the_language_of_the_request_otherwise(rita, api):
    api.headers["Accept-Language"] = "ru"
    response = api.send_json(VALID_REPORT)
    assert Case.objects.get(reference=response.json()["reference"]).language == "ru"


def test_it_refuses_other_content_types(rita, api, nothing_stored):
    response = api.send_bytes(b"act_types=raid&narrative=x", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"]["__all__"][0]
    nothing_stored()


def test_it_describes_both_endpoints_in_openapi(db, api):
    document = api.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reports" in document["paths"]
    assert "/api/v1/reports/status" in document["paths"]
    schema = document["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]["application/json"]
    assert set(schema["schema"]["properties"]) == {
        "act_types", "occurred_on", "country", "locality", "perpetrator_type", "perpetrator_name",
        "company", "items_seized", "organisation", "contact", "narrative", "language"}


def test_it_needs_no_csrf_token(rita):
    response = Client(enforce_csrf_checks=True).post("/api/v1/reports", VALID_REPORT,
                                                      content_type="application/json")
    assert response.status_code == 201
