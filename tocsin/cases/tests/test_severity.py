"""Severity: provisional at intake, set at triage through POST /staff/cases/<ref>/severity/."""

from __future__ import annotations

import pytest

from tocsin.audit.models import Entry
from tocsin.cases.models import Case
from tocsin.cases.tests.conftest import act

pytestmark = pytest.mark.django_db


def severity_of(reference: str) -> str:
    return Case.objects.get(reference=reference).severity


@pytest.mark.parametrize(("act_types", "severity"), [
    (["raid"], "critical"),
    (["seizure"], "critical"),
    (["inspection", "seizure"], "critical"),
    (["inspection"], "high"),
    (["summons", "charge", "blocking", "other"], "high"),
])
def test_intake_sets_a_provisional_severity(rita, report, act_types, severity):
    _, reference = report(act_types=act_types)
    assert severity_of(reference) == severity


def test_triage_changes_it(rita, logged_in, report, events):
    _, reference = report()
    client = logged_in(rita)
    response = act(client, reference, "severity", {"severity": "normal"})
    assert response.status_code == 302
    assert severity_of(reference) == "normal"
    entry = Entry.objects.get(action="case.severity_changed")
    assert (entry.actor, entry.target) == (rita, reference)
    assert entry.detail == {"from": "critical", "to": "normal"}
    assert [(e.signal, e.kwargs["by"], e.inside_the_action) for e in events] == [
        ("severity_changed", rita, True)]
    assert "Severity: Normal." in client.get(f"/staff/cases/{reference}/").content.decode()


def test_setting_the_same_severity_changes_and_announces_nothing(rita, logged_in, report, events):
    _, reference = report()
    assert act(logged_in(rita), reference, "severity", {"severity": "critical"}).status_code == 302
    assert not Entry.objects.filter(action="case.severity_changed").exists()
    assert events == []


@pytest.mark.parametrize("value", ["", "urgent", "CRITICAL", "low", "critical\x00"])
def test_it_refuses_an_unknown_severity_naming_the_field(rita, logged_in, report, value, events):
    _, reference = report()
    response = act(logged_in(rita), reference, "severity", {"severity": value})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_severity-errors"' in content
    assert "Severity:" in content
    assert severity_of(reference) == "critical"
    assert events == []


def test_the_inbox_shows_the_severity(rita, logged_in, report):
    report(act_types=["summons"])
    assert '<td class="severity-high">High</td>' in logged_in(rita).get("/staff/").content.decode()
