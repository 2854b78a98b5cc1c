"""Bad reports through the HTML form and the multipart API: the same checks as
JSON, a 4xx naming the field, and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import multipart

FUTURE_DAY = (timezone.now() + dt.timedelta(days=2)).date().isoformat()

BAD_FIELDS: dict[str, tuple[dict[str, object], str, str]] = {
    "an unknown act type": ({"act_types": ["raid", "arson"]}, "act_types",
                            "“arson” is not one of the choices."),
    "an unknown perpetrator": ({"perpetrator_type": "army"}, "perpetrator_type", "is not one of the choices"),
    "an unknown country": ({"country": "XX"}, "country", "Choose a country from the list"),
    "an unknown contact kind": ({"contact_kind": "telegram"}, "contact_kind",
                                "Choose signal, email or phone."),
    "a count that is not a number": ({"items_seized_count": "four"}, "items_seized_count",
                                     "Write a whole number, such as 3."),
    "a negative count": ({"items_seized_count": "-2"}, "items_seized_count", "greater than or equal to 0"),
    "an impossible date": ({"occurred_on": "2026-02-30"}, "occurred_on", "There is no such date."),
    "a future date": ({"occurred_on": FUTURE_DAY}, "occurred_on", "The date is in the future."),
    "a malformed date": ({"occurred_on": "30/02/2026"}, "occurred_on", "YYYY, YYYY-MM or YYYY-MM-DD"),
    "a NUL in the narrative": ({"narrative": "took\x00every"}, "narrative", "control characters"),
    "an escape in the locality": ({"locality": "Irkutsk\x1b[2J"}, "locality", "control characters"),
    "a backspace in the organisation": ({"organisation": "Wa\x08ve"}, "organisation", "control characters"),
    "a NUL in the contact": ({"contact": "+7 912\x00 345 67 89"}, "contact", "control characters"),
    "invalid UTF-8 in the narrative": ({"narrative": b"took \xff\xfe every"}, "narrative", "not valid UTF-8"),
    "invalid UTF-8 in the organisation": ({"organisation": b"\xc3\x28Wave"}, "organisation",
                                          "not valid UTF-8"),
    "invalid UTF-8 in the items": ({"items_seized_kind": b"lap\xe2\x82tops"}, "items_seized_kind",
                                   "not valid UTF-8"),
    "an email that is not one": ({"contact_kind": "email", "contact": "wave@"}, "contact",
                                 "not an email address"),
    "a narrative too long": ({"narrative": "x" * 20_001}, "narrative", "at most 20000 characters"),
}


@pytest.mark.parametrize("name", BAD_FIELDS)
def test_it_names_the_field_that_is_wrong(name, rita, channel, nothing_stored):
    overrides, field, message = BAD_FIELDS[name]
    response = channel.send(overrides)
    assert response.status_code == 400, response.content
    errors = channel.errors(response)
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]
    nothing_stored()


@pytest.mark.parametrize("missing", ["act_types", "occurred_on", "country", "narrative"])
def test_it_names_a_missing_required_field(missing, rita, channel, nothing_stored):
    response = channel.send(without=(missing,))
    assert response.status_code == 400
    assert list(channel.errors(response)) == [missing]
    nothing_stored()


def test_it_refuses_an_unknown_part_on_the_api_rather_than_drop_it(rita, api, nothing_stored):
    response = api.send_multipart({"contact_value": "+7 912 345 67 89", "language": "en"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"contact_value": ["Unknown field."]}
    nothing_stored()


def test_it_refuses_an_unknown_language_on_the_api(rita, api, nothing_stored):
    response = api.send_multipart({"language": "de"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"language": ["Must be “en” or “ru”."]}
    nothing_stored()


def test_it_refuses_a_content_length_that_is_not_a_number(rita, channel, nothing_stored):
    body, content_type = multipart({**channel.token_field(), "narrative": "x"})
    response = channel.send_body(body, content_type, CONTENT_LENGTH="12abc")
    assert response.status_code == 400
    assert "length is not a number" in channel.errors(response)["__all__"][0]
    nothing_stored()
