"""``sla.run_due``: each step exactly once, audited, cheap when nothing is due,
and safe with several workers at once."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from tocsin.alerts import sla
from tocsin.alerts.models import Alert, Timer
from tocsin.audit import log as audit
from tocsin.audit.models import Entry
from tocsin.cases.actions import change_severity, transition
from tocsin.cases.models import Case

from .helpers import count, minutes_after, reached, timer_of

pytestmark = pytest.mark.django_db
ON_POSTGRES = connection.vendor == "postgresql"


def test_it_fires_each_step_once_however_often_it_runs(raid, channels):
    case = raid()
    moment = minutes_after(case, 90)
    assert sla.run_due(moment) == 3  # overdue, shift lead, director
    assert sla.run_due(moment) == 0
    assert sla.run_due(moment + dt.timedelta(days=1)) == 0
    assert (count("case.overdue"), count("case.escalated")) == (3, 2)


def test_it_audits_every_step_with_how_many_alerts_it_wrote(raid, channels):
    case = raid()
    sla.run_due(minutes_after(case, 90))
    entries = Entry.objects.filter(target=case.reference, action__in=["case.overdue", "case.escalated"])
    assert [(entry.action, entry.detail["step"], entry.detail["alerts"]) for entry in entries] == [
        ("case.overdue", "overdue", 3), ("case.escalated", "shift_lead", 1),
        ("case.escalated", "director", 1)]
    assert all(entry.actor_id is None for entry in entries)
    assert entries[0].detail["due_at"] == minutes_after(case, 15).isoformat()
    assert audit.verify() is None


def test_a_step_that_reaches_nobody_is_still_audited(raid, bora):
    case = raid(country="BY")  # belarus: no channels at all
    assert sla.run_due(minutes_after(case, 90)) == 3
    assert not Alert.objects.exists()
    assert list(Entry.objects.filter(target=case.reference, action="case.escalated")
                .values_list("detail__alerts", flat=True)) == [0, 0]


def test_it_takes_every_due_timer_in_batches(raid, channels):
    cases = [raid() for _ in range(5)]
    assert sla.run_due(minutes_after(cases[-1], 20), limit=2) == 5
    assert count("case.overdue") == 5 * 3


def test_it_costs_one_query_when_nothing_is_due(raid, channels, django_assert_num_queries):
    case = raid()
    with django_assert_num_queries(1):
        assert sla.run_due(minutes_after(case, 1)) == 0


def test_asking_whether_anything_is_due_reads_the_index(raid, channels):
    case = raid()
    # Enough timers, due later, for the planner to prefer an index to a scan.
    later = minutes_after(case, 24 * 60)
    Timer.objects.bulk_create(
        Timer(case=case, kind=Timer.Kind.REFERRAL_FOLLOW_UP, referral_id=n, started_at=later,
              deadline_at=later, due_at=later + dt.timedelta(minutes=n)) for n in range(1000))
    sql, params = sla.due(minutes_after(case, 1)).only("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if ON_POSTGRES:
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "timer_due" in plan, plan


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's write lock serialises workers by itself")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_escalate_each_case_once(raid, channels) -> None:
    cases = [raid() for _ in range(12)]
    moment = minutes_after(cases[-1], 90)
    start = threading.Barrier(2)
    fired: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            fired.append(sla.run_due(moment, limit=3))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(fired) == 12 * 3
    assert (count("case.overdue"), count("case.escalated")) == (12 * 3, 12 * 2)
    for case in cases:
        steps = Entry.objects.filter(target=case.reference, action__in=["case.overdue", "case.escalated"])
        assert sorted(steps.values_list("detail__step", flat=True)) == ["director", "overdue", "shift_lead"]
        assert timer_of(case.reference).escalations == 2
    assert audit.verify() is None
    assert not Timer.objects.filter(due_at__lte=moment, stopped_at__isnull=True).exists()


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's write lock serialises writers by itself")
@pytest.mark.django_db(transaction=True)
def test_triage_while_a_worker_escalates_neither_deadlocks_nor_repeats(raid, channels, rita) -> None:
    """Triage actions hold the audit log's head while they wait for a timer's
    row (``change_severity`` records, then signals); the worker holds timers
    while it records. Both take the head first, so neither waits for the other."""
    cases = [raid() for _ in range(16)]
    moment = minutes_after(cases[-1], 90)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def in_thread(work) -> threading.Thread:
        def run() -> None:
            try:
                start.wait()
                work()
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                connection.close()
        return threading.Thread(target=run)

    def triage_all() -> None:
        for case in cases:
            change_severity(case, "normal", acting_user=rita)
            transition(case, "vetting", acting_user=rita)

    threads = [in_thread(lambda: sla.run_due(moment, limit=1)), in_thread(triage_all)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sla.run_due(moment + dt.timedelta(days=1)) == 0
    for case in cases:
        timer = timer_of(case.reference)
        assert timer.stopped_because == "acknowledged"
        fired = Entry.objects.filter(target=case.reference, action__in=["case.overdue", "case.escalated"])
        steps = list(fired.values_list("detail__step", flat=True))
        # Whatever fired before the acknowledgement fired once.
        assert len(steps) == len(set(steps)) <= 3
    assert audit.verify() is None


def test_a_timer_that_fails_steps_aside_for_the_others(raid, channels, caplog):
    broken, healthy = raid(), raid()
    # Bad data a bug could leave behind: act types that are not words.
    Case.objects.filter(pk=broken.pk).update(act_types=[7])
    moment = minutes_after(healthy, 20)
    assert sla.run_due(moment, limit=1) == 1
    assert reached("case.overdue") == {"team:default", "rita", "lena"}
    assert set(Alert.objects.filter(event="case.overdue").values_list("reference", flat=True)) == {
        healthy.reference}
    assert timer_of(broken.reference).due_at == moment + sla.RETRY_FAILED
    assert f"of case {broken.reference} failed" in caplog.text
    assert audit.verify() is None
