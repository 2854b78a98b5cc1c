"""Opening a stored report: the worker writes its audit entry, starts its
acknowledgement clock and alerts its team, for many reports in one
transaction, after the intake's commit has given the reporter a receipt."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tocsin.accounts.models import Team
from tocsin.alerts import announcements
from tocsin.alerts.models import Alert, Timer
from tocsin.alerts.tests.delivery import add_channel
from tocsin.audit import log as audit
from tocsin.audit.models import Entry
from tocsin.cases import signals
from tocsin.cases.actions import opening, transition
from tocsin.cases.models import Arrival, Case
from tocsin.conftest import VALID_REPORT

pytestmark = pytest.mark.django_db


def store(**overrides: object) -> Case:
    """A report as the intake leaves it: stored, its receipt given, not opened yet."""
    body = {**VALID_REPORT, **overrides}
    response = Client().post("/api/v1/reports", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return Case.objects.get(reference=response.json()["reference"])


def test_the_intake_stores_the_report_and_its_arrival_and_nothing_else(rita):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    case = store()
    assert list(Arrival.objects.values_list("case_id", flat=True)) == [case.pk]
    assert case.keys.count() == 1
    assert not Entry.objects.filter(action="report.received").exists()
    assert not Timer.objects.exists()
    assert not Alert.objects.exists()


def test_opening_writes_the_audit_entry_the_clock_and_the_alert(rita):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    case = store()
    assert opening.open_arrived() == 1
    entry = Entry.objects.get(action="report.received")
    assert (entry.target, entry.actor_id) == (case.reference, None)
    assert entry.detail == {"team": "default", "files": 0}
    timer = Timer.objects.get(case=case, kind=Timer.Kind.ACKNOWLEDGE)
    assert timer.started_at == case.received_at  # the reporter has waited since the receipt
    alert = Alert.objects.get()
    assert (alert.event, alert.reference) == (announcements.CASE_RECEIVED, case.reference)
    assert not Arrival.objects.exists()


def test_a_report_is_opened_once(rita):
    store()
    assert opening.open_arrived() == 1
    assert opening.open_arrived() == 0
    assert Entry.objects.filter(action="report.received").count() == 1
    assert Timer.objects.count() == 1


def test_it_counts_the_evidence_files_in_the_audit_entry(rita, file_report):
    filed = file_report()  # the fixture opens it, as the worker would
    entry = Entry.objects.get(action="report.received", target=filed.reference)
    assert entry.detail == {"team": "default", "files": 1}


def test_it_opens_a_backlog_in_batches_oldest_first_with_the_chain_unbroken(rita):
    cases = [store() for _ in range(5)]
    assert opening.open_arrived(limit=2) == 5
    entries = Entry.objects.filter(action="report.received").order_by("seq")
    targets = list(entries.values_list("target", flat=True))
    assert targets == [case.reference for case in cases]
    assert Timer.objects.count() == 5
    assert audit.verify() is None


def test_it_routes_the_alert_to_the_team_the_report_was_routed_to(rita, bora):
    add_channel("json://127.0.0.1:9/belarus", team="belarus")
    add_channel("json://127.0.0.1:9/default", team=Team.DEFAULT)
    case = store(country="BY")
    opening.open_arrived()
    alerts = Alert.objects.filter(reference=case.reference)
    assert [alert.channel.team.name for alert in alerts] == ["belarus"]


def test_a_case_taken_up_before_it_was_opened_gets_no_clock(rita):
    case = store()
    transition(case, "vetting", acting_user=rita)
    opening.open_arrived()
    assert not Timer.objects.filter(case=case).exists()
    assert Entry.objects.filter(action="report.received", target=case.reference).exists()


def test_a_report_that_cannot_be_opened_holds_back_no_other(rita, caplog):
    broken, fine = store(), store()

    def fail_for_one(sender, cases, **kwargs):
        if any(case.pk == broken.pk for case in cases):
            raise RuntimeError("a bug in one receiver")

    signals.cases_received.connect(fail_for_one, dispatch_uid="test.fail_for_one")
    try:
        with caplog.at_level(logging.ERROR, logger="tocsin.worker"):
            assert opening.open_arrived() == 1
    finally:
        signals.cases_received.disconnect(dispatch_uid="test.fail_for_one")
    assert Timer.objects.filter(case=fine).exists()
    assert not Timer.objects.filter(case=broken).exists()
    assert list(Arrival.objects.values_list("case_id", flat=True)) == [broken.pk]  # tried again next pass
    assert f"case {broken.pk} could not be opened" in caplog.text
    assert opening.open_arrived() == 1
    assert Timer.objects.filter(case=broken).exists()
