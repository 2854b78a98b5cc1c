"""/staff/timers/: the open timers of the cases a responder can open, soonest first."""

import datetime as dt

import pytest
from django.utils import timezone

from tocsin.alerts.models import Timer
from tocsin.cases.actions import refer, transition

from .helpers import case_key_for

pytestmark = pytest.mark.django_db
URL = "/staff/timers/"


def test_it_lists_my_teams_open_timers_the_soonest_deadline_first(rita, logged_in, raid):
    later = raid(act_types=["summons"])  # high: due in 60 minutes
    sooner = raid()  # a raid, received after it but critical: due in 15
    page = logged_in(rita).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index(sooner.reference) < text.index(later.reference)
    assert f'href="/staff/cases/{sooner.reference}/"' in text
    assert "Critical" in text and "High" in text
    assert "Overdue by" not in text and 'class="overdue"' not in text


def test_it_marks_the_overdue_ones(rita, logged_in, raid):
    overdue, waiting = raid(), raid()
    Timer.objects.filter(case=overdue).update(deadline_at=timezone.now() - dt.timedelta(minutes=5))
    text = logged_in(rita).get(URL).content.decode()
    assert text.count('class="overdue"') == 1
    assert "Overdue by 5\xa0minutes" in text
    assert text.index(overdue.reference) < text.index(waiting.reference)


def test_it_leaves_out_acknowledged_cases(rita, logged_in, raid):
    case = raid()
    transition(case, "vetting", acting_user=rita)
    text = logged_in(rita).get(URL).content.decode()
    assert case.reference not in text
    assert "No open timers" in text


def test_it_shows_a_referrals_follow_up(rita, logged_in, raid):
    case = raid()
    transition(case, "vetting", acting_user=rita)
    refer(case, case_key_for(rita, case), partner="Partner", follow_up_on=dt.date(2031, 5, 6),
          acting_user=rita)
    text = logged_in(rita).get(URL).content.decode()
    assert case.reference in text and "Referral follow-up" in text and "2031-05-06 09:00" in text


def test_an_anonymous_visitor_is_sent_to_log_in(rita, client, raid):
    case = raid()
    page = client.get(URL)
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert case.reference.encode() not in page.content


def test_a_reporter_holding_a_receipt_is_sent_to_log_in(rita, holder_of_receipt):
    reporter, reference = holder_of_receipt()
    page = reporter.get(URL)
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert reference.encode() not in page.content


def test_a_responder_of_another_team_sees_none_of_its_timers(rita, bora, logged_in, raid):
    case = raid()
    page = logged_in(bora).get(URL)
    assert page.status_code == 200
    assert case.reference.encode() not in page.content


def test_an_administrator_without_the_case_key_sees_none_either(rita, adam, logged_in, raid):
    case = raid()
    page = logged_in(adam).get(URL)
    assert page.status_code == 200
    assert case.reference.encode() not in page.content
