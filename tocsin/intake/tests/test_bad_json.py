"""Bad JSON reports: each gets a 4xx that names the field, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tocsin.conftest import VALID_REPORT


def with_(**changes: Any) -> dict[str, Any]:
    return {**VALID_REPORT, **changes}


def without(*names: str) -> dict[str, Any]:
    return {key: value for key, value in VALID_REPORT.items() if key not in names}


def future_day() -> str:
    return (timezone.now() + dt.timedelta(days=2)).date().isoformat()


def future_month() -> str:
    return (timezone.now() + dt.timedelta(days=40)).strftime("%Y-%m")


def future_year() -> str:
    return str(timezone.now().year + 1)


VALID_BODY = json.dumps(VALID_REPORT).encode()

BROKEN_BODIES = {
    "malformed": (b'{"act_types": ["raid"], narrative: "x"}', "not valid JSON (line 1, column 25)"),
    "truncated": (VALID_BODY[: len(VALID_BODY) // 2], "not valid JSON"),
    "cut after the last value": (VALID_BODY[:-1], "not valid JSON"),
    "empty": (b"", "not valid JSON"),
    "trailing garbage": (VALID_BODY + b"}", "not valid JSON"),
    "invalid UTF-8": (VALID_BODY.replace(b"took every", b"took \xff\xfe every"), "not valid UTF-8"),
    "a lone continuation byte": (VALID_BODY.replace(b"Irkutsk", b"Irk\x80tsk"), "not valid UTF-8"),
    "an array": (b'["raid"]', "must be a JSON object"),
    "a string": (b'"report"', "must be a JSON object"),
    "nested too deep": (b"[" * 100_000 + b"]" * 100_000, "nesting is too deep"),
    "a number too long": (json.dumps(with_(items_seized={"count": 0})).replace(
        '"count": 0', '"count": ' + "9" * 5000).encode(), "number is too long"),
}


@pytest.mark.parametrize("name", BROKEN_BODIES)
def test_it_refuses_a_body_that_is_not_a_json_report(name, rita, api, nothing_stored):
    body, message = BROKEN_BODIES[name]
    response = api.send_bytes(body)
    assert response.status_code == 400
    assert message in response.json()["errors"]["__all__"][0]
    nothing_stored()


BAD_FIELDS: dict[str, tuple[dict[str, Any], str, str]] = {
    # wrong types
    "act types as a string": (with_(act_types="raid"), "act_types", "Must be a list of act types."),
    "act types as numbers": (with_(act_types=[1, 2]), "act_types", "Must be a list of act types."),
    "narrative as a number": (with_(narrative=42), "narrative", "Must be text."),
    "narrative as a list": (with_(narrative=["a", "b"]), "narrative", "Must be text."),
    "country as a list": (with_(country=["RU"]), "country", "Must be text."),
    "date as a number": (with_(occurred_on=2026), "occurred_on", "Must be text."),
    "company as an object": (with_(company={"name": "x"}), "company", "Must be text."),
    "items seized as a string": (with_(items_seized="4 laptops"), "items_seized", "Must be an object"),
    "items count as a string": (with_(items_seized={"count": "4"}), "items_seized.count",
                                "Must be a whole number."),
    "items count as a fraction": (with_(items_seized={"count": 1.5}), "items_seized.count",
                                  "Must be a whole number."),
    "items count as true": (with_(items_seized={"count": True}), "items_seized.count",
                            "Must be a whole number."),
    "items count negative": (with_(items_seized={"count": -1}), "items_seized.count", "greater than"),
    "contact as a string": (with_(contact="+7 912 345 67 89"), "contact", "Must be an object"),
    "contact value as a number": (with_(contact={"kind": "phone", "value": 79123456789}),
                                  "contact.value", "Must be text."),
    "language as a number": (with_(language=1), "language", "Must be text."),
    # unknown fields
    "an unknown field": (with_(nickname="Wave"), "nickname", "Unknown field."),
    "an unknown nested field": (with_(contact={"kind": "email", "value": "a@example.org", "note": "x"}),
                                "contact", "Must be an object with the fields kind, value."),
    # unknown enum values
    "an unknown act type": (with_(act_types=["raid", "arson"]), "act_types",
                            "“arson” is not one of the choices."),
    "an empty act type list": (with_(act_types=[]), "act_types", "Choose at least one"),
    "an unknown perpetrator": (with_(perpetrator_type="army"), "perpetrator_type",
                               "“army” is not one of the choices."),
    "an unknown country": (with_(country="XX"), "country", "Choose a country from the list"),
    "a country in lower case": (with_(country="ru"), "country", "Choose a country from the list"),
    "a country name": (with_(country="Russia"), "country", "Choose a country from the list"),
    "an unknown contact kind": (with_(contact={"kind": "telegram", "value": "@wave"}), "contact.kind",
                                "Choose signal, email or phone."),
    "an unknown language": (with_(language="de"), "language", "Must be “en” or “ru”."),
    # dates
    "an impossible day": (with_(occurred_on="2026-02-30"), "occurred_on", "There is no such date."),
    "an impossible month": (with_(occurred_on="2025-13"), "occurred_on", "There is no such date."),
    "day zero": (with_(occurred_on="2025-01-00"), "occurred_on", "There is no such date."),
    "month zero": (with_(occurred_on="2025-00"), "occurred_on", "There is no such date."),
    "a future day": (with_(occurred_on=future_day()), "occurred_on", "The date is in the future."),
    "a future month": (with_(occurred_on=future_month()), "occurred_on", "The date is in the future."),
    "a future year": (with_(occurred_on=future_year()), "occurred_on", "The date is in the future."),
    "a day-first date": (with_(occurred_on="15.03.2026"), "occurred_on", "YYYY, YYYY-MM or YYYY-MM-DD"),
    "a date without zeros": (with_(occurred_on="2026-3-5"), "occurred_on", "YYYY, YYYY-MM or YYYY-MM-DD"),
    "a date with a time": (with_(occurred_on="2026-03-15T10:00"), "occurred_on", "at most 10 characters"),
    "a word for a date": (with_(occurred_on="yesterday"), "occurred_on", "YYYY, YYYY-MM or YYYY-MM-DD"),
    "a year before 1990": (with_(occurred_on="1989"), "occurred_on", "from 1990 onwards"),
    # NUL, control characters and text that is not Unicode
    "a NUL in the narrative": (with_(narrative="took\x00every"), "narrative", "control characters"),
    "an escape in the locality": (with_(locality="\x1b[31mIrkutsk"), "locality", "control characters"),
    "a bell in the organisation": (with_(organisation="Wave\x07"), "organisation", "control characters"),
    "a C1 control in the name": (with_(perpetrator_name="Un\x85it"), "perpetrator_name",
                                 "control characters"),
    "a NUL in the items": (with_(items_seized={"count": 1, "kind": "\x00"}), "items_seized.kind",
                           "control characters"),
    "a NUL in the contact": (with_(contact={"kind": "email", "value": "a\x00@example.org"}),
                             "contact.value", "control characters"),
    "a NUL in the company": (with_(company="Micro\x00soft"), "company", "control characters"),
    "a lone surrogate": (with_(narrative="took \ud800 every"), "narrative", "not valid UTF-8"),
    "a replacement character": (with_(organisation="Wave \ufffd"), "organisation", "not valid UTF-8"),
    # required and sizes
    "no narrative": (without("narrative"), "narrative", "Tell us what happened"),
    "a blank narrative": (with_(narrative="   "), "narrative", "Tell us what happened"),
    "no date": (without("occurred_on"), "occurred_on", "Give the year, the month or the day"),
    "a narrative too long": (with_(narrative="x" * 20_001), "narrative", "at most 20000 characters"),
    "a count too large": (with_(items_seized={"count": 10**9}), "items_seized.count", "less than"),
    # contacts that could not reach anyone
    "an email that is not one": (with_(contact={"kind": "email", "value": "wave at example"}),
                                 "contact.value", "not an email address"),
    "a phone without country code": (with_(contact={"kind": "phone", "value": "912 345"}),
                                     "contact.value", "international format"),
    "a contact without its kind": (with_(contact={"value": "a@example.org"}), "contact.kind",
                                   "Signal number, an email or a phone"),
    "a contact kind without value": (with_(contact={"kind": "email"}), "contact.value",
                                     "choose “No contact”"),
}


@pytest.mark.parametrize("name", BAD_FIELDS)
def test_it_names_the_field_that_is_wrong(name, rita, api, nothing_stored):
    document, field, message = BAD_FIELDS[name]
    response = api.send_json(document)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "The report was not accepted."
    assert field in body["errors"], body
    assert any(message in text for text in body["errors"][field]), body["errors"][field]
    nothing_stored()


def test_it_names_every_wrong_field_at_once(rita, api, nothing_stored):
    response = api.send_json(with_(act_types=["arson"], occurred_on="2026-02-30", country="XX",
                                   narrative="a\x00b"))
    assert set(response.json()["errors"]) == {"act_types", "occurred_on", "country", "narrative"}
    nothing_stored()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_it_refuses_a_body_over_the_limit(rita, api, nothing_stored):
    response = api.send_json(with_(narrative="x" * 5000))
    assert response.status_code == 413
    assert "The limit is 4 KB" in response.json()["errors"]["__all__"][0]
    nothing_stored()


def test_it_accepts_what_the_refusals_above_are_not(rita, api):
    # The boundaries of the checks above, so none of them refuses everything.
    today = (timezone.now()).date().isoformat()
    for document in [with_(occurred_on=today), with_(occurred_on="2024-02-29"), with_(occurred_on="1990"),
                     with_(narrative="Line one\nline two\ttabbed\r\n"), with_(items_seized={"count": 0}),
                     with_(language="en"), with_(contact={"kind": "email", "value": "a@example.org"})]:
        assert api.send_json(document).status_code == 201, document
