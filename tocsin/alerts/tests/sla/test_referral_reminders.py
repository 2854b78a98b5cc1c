"""Referral follow-up reminders: on the follow-up date at the reminder hour,
again every day until someone records the follow-up."""

import datetime as dt

import pytest
from django.utils import timezone

from tocsin.alerts import sla
from tocsin.alerts.models import Timer
from tocsin.cases.actions import assign, close_referral, refer, transition

from .helpers import case_key_for, count, reached, timer_of

pytestmark = pytest.mark.django_db
FOLLOW_UP = Timer.Kind.REFERRAL_FOLLOW_UP
SECOND, DAY = dt.timedelta(seconds=1), dt.timedelta(days=1)


@pytest.fixture
def referred(raid, channels, rita):
    """An acknowledged case referred to a partner, to follow up in three days."""
    case = raid()
    transition(case, "vetting", acting_user=rita)
    day = timezone.now().date() + dt.timedelta(days=3)
    referral = refer(case, case_key_for(rita, case), partner="Legal aid partner", follow_up_on=day,
                     acting_user=rita)
    return case, referral, dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def test_a_referral_starts_a_reminder_at_nine_on_its_follow_up_date(referred):
    case, referral, nine = referred
    timer = timer_of(case.reference, FOLLOW_UP)
    assert (timer.referral_id, timer.deadline_at, timer.due_at) == (referral.pk, nine, nine)
    sla.run_due(nine - SECOND)
    assert count("referral.follow_up_due") == 0
    sla.run_due(nine)
    assert reached("referral.follow_up_due", case.reference) == {"team:default", "rita"}


def test_it_reminds_again_every_day_until_the_follow_up(referred, rita):
    case, referral, nine = referred
    sla.run_due(nine)
    sla.run_due(nine + DAY - SECOND)
    assert count("referral.follow_up_due") == 2
    sla.run_due(nine + DAY)
    assert count("referral.follow_up_due") == 4
    close_referral(case, referral.public_id, acting_user=rita)
    assert sla.run_due(nine + 10 * DAY) == 0
    assert timer_of(case.reference, FOLLOW_UP).stopped_because == "followed_up"


def test_a_worker_back_after_days_reminds_once_not_once_a_missed_day(referred):
    case, _, nine = referred
    assert sla.run_due(nine + 3 * DAY + dt.timedelta(hours=1)) == 1
    assert timer_of(case.reference, FOLLOW_UP).due_at == nine + 4 * DAY


def test_a_referral_followed_up_in_time_never_reminds(referred, rita):
    case, referral, nine = referred
    close_referral(case, referral.public_id, acting_user=rita)
    assert sla.run_due(nine + DAY) == 0
    assert count("referral.follow_up_due") == 0


def test_the_responder_who_took_the_case_on_is_reminded_instead_of_everyone(referred, lena):
    case, _, nine = referred
    assign(case, "lena", acting_user=lena)
    sla.run_due(nine)
    assert reached("referral.follow_up_due") == {"team:default", "lena"}


def test_with_no_repeat_it_reminds_once(referred, settings):
    settings.REFERRAL_REMINDER_REPEAT_HOURS = 0
    case, _, nine = referred
    sla.run_due(nine)
    assert sla.run_due(nine + 5 * DAY) == 0
    timer = timer_of(case.reference, FOLLOW_UP)
    assert (timer.reminders_sent, timer.due_at, timer.stopped_at) == (1, None, None)


def test_the_reminder_hour_is_a_setting(raid, channels, rita, settings):
    settings.REFERRAL_REMINDER_HOUR = 14
    case = raid()
    transition(case, "vetting", acting_user=rita)
    day = dt.date(2031, 5, 6)
    refer(case, case_key_for(rita, case), partner="Partner", follow_up_on=day, acting_user=rita)
    assert timer_of(case.reference, FOLLOW_UP).deadline_at == dt.datetime(2031, 5, 6, 14, tzinfo=dt.UTC)


def test_going_out_of_mandate_refers_and_closing_the_case_stops_the_reminder(raid, channels, rita):
    case = raid()
    transition(case, "vetting", acting_user=rita)
    day = timezone.now().date() + DAY
    transition(case, "out_of_mandate", acting_user=rita, case_key=case_key_for(rita, case),
               referral={"partner": "Partner", "note": "", "follow_up_on": day})
    assert timer_of(case.reference, FOLLOW_UP).stopped_at is None
    transition(case, "closed", acting_user=rita)
    assert timer_of(case.reference, FOLLOW_UP).stopped_because == "case_closed"
    assert sla.run_due(timezone.now() + 30 * DAY) == 0
