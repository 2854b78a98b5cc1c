"""/covered/: the public "Am I covered?" self-check: no login, no JavaScript, nothing stored."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

COVERED_NGO = {"kind": "ngo", "country": "RU", "government_share": "9.99", "not_for_profit": "true",
               "community_mission": "true", "on": "2011-06-01"}


def check(answers: dict[str, Any], client: Client | None = None):
    return (client or Client()).post("/covered/", answers)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_it_shows_the_form_to_an_anonymous_visitor():
    response = Client().get("/covered/")
    assert response.status_code == 200
    page = text(response)
    assert "Am I covered?" in page
    assert 'name="kind"' in page and 'name="country"' in page
    assert "2010-12-06 to 2012-01-01" in page
    assert "<script" not in page
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_says_yes_and_why_for_a_covered_ngo():
    response = check(COVERED_NGO)
    assert response.status_code == 200
    page = text(response)
    assert "Yes: on 2011-06-01 a group like yours is covered." in page
    assert "Government funding (9.99%) is under 10%." in page
    assert "The programme covers Russia." in page
    assert "Decided under rule set 2010." in page
    # What to do next: enrol for a certificate.
    assert 'href="/enrol/"' in page


def test_it_says_no_and_every_reason_why_not():
    response = check({**COVERED_NGO, "government_share": "10", "not_for_profit": "false"})
    page = text(response)
    assert "No: on 2011-06-01 a group like yours is not covered." in page
    assert "Government funding (10%) is not under 10%." in page
    assert "It must be not-for-profit." in page


def test_it_explains_another_country():
    page = text(check({**COVERED_NGO, "country": "other"}))
    assert "not covered" in page
    assert "The programme covers only Armenia, Azerbaijan, Belarus, China" in page


def test_it_says_what_is_missing_when_unsure():
    page = text(check({"kind": "ngo", "country": "KZ", "not_for_profit": "", "on": "2011-06-01"}))
    assert "We need to know what share of its funding comes from government" in page
    assert "We need to know that it is not-for-profit." in page


def test_it_covers_media_with_any_one_standing():
    page = text(check({"kind": "media", "country": "BY", "media_association": "on",
                       "on": "2011-06-01"}))
    assert "Yes: on 2011-06-01" in page
    assert "It is a member of a local media association." in page


def test_it_uses_today_when_no_day_is_given():
    page = text(check({**COVERED_NGO, "on": ""}))
    # The 2010 rule set ended on 2012-01-01 and is not extended in tests.
    assert "Coverage ended on 2012-01-01." in page


@pytest.mark.parametrize(("answers", "field"), [
    ({**COVERED_NGO, "kind": "company"}, "kind"),
    ({**COVERED_NGO, "kind": ""}, "kind"),
    ({**COVERED_NGO, "country": "FR"}, "country"),
    ({**COVERED_NGO, "country": ""}, "country"),
    ({**COVERED_NGO, "government_share": "ten"}, "government_share"),
    ({**COVERED_NGO, "government_share": "-1"}, "government_share"),
    ({**COVERED_NGO, "government_share": "100.01"}, "government_share"),
    ({**COVERED_NGO, "government_share": "1e9999"}, "government_share"),
    ({**COVERED_NGO, "on": "2011-13-01"}, "on"),
    ({**COVERED_NGO, "on": "x" * 10000}, "on"),
])
def test_it_answers_bad_input_with_400_naming_the_field(answers, field):
    response = check(answers)
    assert response.status_code == 400
    assert f'href="#field-{field}"' in response.content.decode()
    assert "a group like yours" not in text(response)


def test_it_refuses_other_methods():
    assert Client().put("/covered/").status_code == 405


def test_it_writes_nothing_to_the_database_and_keeps_no_session():
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        client.get("/covered/")
        good = check(COVERED_NGO, client)
        bad = check({**COVERED_NGO, "kind": "x"}, client)
    writes = [q["sql"] for q in queries.captured_queries
              if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert "sessionid" not in good.cookies and "sessionid" not in bad.cookies


def test_it_logs_no_answer(caplog):
    answers = {**COVERED_NGO, "government_share": "7.31", "on": "2011-07-19"}
    with caplog.at_level(logging.DEBUG):
        check(answers)
        check({**answers, "kind": "bogus-kind-xyz"})
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in ("7.31", "2011-07-19", "bogus-kind-xyz"):
        assert value not in logged


def test_it_works_with_csrf_checks_on():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/covered/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post("/covered/", {**COVERED_NGO, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert Client(enforce_csrf_checks=True).post("/covered/", COVERED_NGO).status_code == 403
