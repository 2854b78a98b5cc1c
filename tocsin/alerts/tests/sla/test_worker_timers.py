"""`tocsin worker` fires the SLA timers that have fallen due."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tocsin.alerts.models import Timer

from .helpers import count, reached, timer_of

# The worker runs in autocommit and closes stale connections after each pass.
pytestmark = pytest.mark.django_db(transaction=True)


def test_one_pass_of_the_worker_fires_the_due_steps(raid, channels):
    case = raid()
    # The report came in 61 minutes ago, as far as its timer knows.
    ago = timezone.now() - dt.timedelta(minutes=61)
    Timer.objects.filter(case=case).update(started_at=ago, deadline_at=ago + dt.timedelta(minutes=15),
                                           due_at=ago + dt.timedelta(minutes=15))
    call_command("worker", "--once", stdout=io.StringIO())
    assert count("case.overdue") == 3
    assert reached("case.escalated") == {"lena"}
    assert timer_of(case.reference).next_step == Timer.Step.DIRECTOR
