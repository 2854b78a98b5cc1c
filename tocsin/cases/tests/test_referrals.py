"""Referrals to partner organisations: POST /staff/cases/<ref>/referrals/ and
POST /staff/cases/<ref>/referrals/<id>/followed-up/."""

from __future__ import annotations

import datetime as dt

import pytest

from tocsin.audit.models import Entry
from tocsin.cases.models import Referral
from tocsin.cases.tests.conftest import act, key_for
from tocsin.crypto import boxes

pytestmark = pytest.mark.django_db
FOLLOW_UP = (dt.date.today() + dt.timedelta(days=3)).isoformat()
NOTE = "Anna at Memorial knows the judge"


def refer(client, reference: str, **fields: str):
    return act(client, reference, "referrals",
               {"partner": "Memorial", "note": NOTE, "follow_up_on": FOLLOW_UP, **fields})


def followed_up(client, reference: str, public_id: str):
    return act(client, reference, f"referrals/{public_id}/followed-up")


def test_it_records_the_referral_with_its_note_encrypted(rita, logged_in, report, events):
    _, reference = report()
    client = logged_in(rita)
    response = refer(client, reference)
    assert response.status_code == 302
    referral = Referral.objects.get(case__reference=reference)
    assert (referral.partner, referral.follow_up_on.isoformat(), referral.created_by) == (
        "Memorial", FOLLOW_UP, rita)
    assert referral.is_open
    assert b"Anna" not in bytes(referral.sealed_note)
    assert boxes.decrypt_json(key_for(rita, reference), bytes(referral.sealed_note),
                              bound_to=referral.public_id) == NOTE
    assert [(e.signal, e.kwargs["referral"].pk, e.inside_the_action) for e in events] == [
        ("referral_created", referral.pk, True)]
    entry = Entry.objects.get(action="referral.created")
    assert (entry.actor, entry.detail) == (rita, {"referral": referral.public_id})
    page = client.get(f"/staff/cases/{reference}/").content.decode()
    assert f"Referral recorded; a reminder is due on {FOLLOW_UP}." in page
    assert NOTE in page and "Mark followed up" in page


def test_following_it_up_stops_the_reminder(rita, lena, logged_in, report, events):
    _, reference = report()
    refer(logged_in(rita), reference)
    referral = Referral.objects.get()
    client = logged_in(lena)
    response = followed_up(client, reference, referral.public_id)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.followed_up_by == lena and referral.followed_up_at is not None
    assert [e.signal for e in events] == ["referral_created", "referral_closed"]
    assert events[-1].inside_the_action
    assert Entry.objects.filter(action="referral.followed_up", actor=lena).count() == 1
    page = client.get(f"/staff/cases/{reference}/").content.decode()
    assert "Referral marked as followed up." in page
    assert "Mark followed up" not in page


def test_following_it_up_twice_says_so_and_changes_nothing(rita, lena, logged_in, report, events):
    _, reference = report()
    refer(logged_in(rita), reference)
    referral = Referral.objects.get()
    followed_up(logged_in(lena), reference, referral.public_id)
    response = followed_up(logged_in(rita), reference, referral.public_id)
    assert response.status_code == 400
    assert "This referral was already followed up on" in response.content.decode()
    referral.refresh_from_db()
    assert referral.followed_up_by == lena
    assert [e.signal for e in events].count("referral_closed") == 1


def test_it_answers_not_found_for_a_referral_of_another_case(rita, logged_in, report):
    _, first = report()
    _, second = report()
    client = logged_in(rita)
    refer(client, second)
    referral = Referral.objects.get()
    assert followed_up(client, first, referral.public_id).status_code == 404
    assert followed_up(client, first, "0" * 16).status_code == 404
    assert Referral.objects.get().is_open


@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"partner": ""}, "partner", "Name the partner organisation the case is referred to."),
    ({"partner": "   "}, "partner", "Name the partner organisation the case is referred to."),
    ({"partner": "P" * 201}, "partner", "at most 200 characters"),
    ({"partner": "Memo\x00rial"}, "partner", "Null characters are not allowed."),
    ({"follow_up_on": ""}, "follow_up_on", "Choose the day to follow the referral up."),
    ({"follow_up_on": "2020-01-01"}, "follow_up_on", "This date has passed."),
    ({"follow_up_on": "2999-01-01"}, "follow_up_on", "Choose a day within a year."),
    ({"follow_up_on": "tomorrow"}, "follow_up_on", "Enter a date as YYYY-MM-DD."),
    ({"note": "n" * 10_001}, "note", "at most 10000 characters"),
    ({"note": "\x08"}, "note", "control characters"),
])
def test_it_refuses_bad_input_naming_the_field(rita, logged_in, report, events, fields, field, problem):
    _, reference = report()
    response = refer(logged_in(rita), reference, **fields)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="referral_{field}-errors"' in content
    assert problem in content
    assert not Referral.objects.exists()
    assert events == []
