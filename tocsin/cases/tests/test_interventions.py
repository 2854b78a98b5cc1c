"""POST /staff/cases/<ref>/interventions/: what responders did, with encrypted notes and days held."""

from __future__ import annotations

import datetime as dt

import pytest

from tocsin.audit.models import Entry
from tocsin.cases import actions
from tocsin.cases.errors import Refused
from tocsin.cases.models import Case, Intervention
from tocsin.cases.tests.conftest import act, key_for
from tocsin.crypto import boxes

pytestmark = pytest.mark.django_db
NOTE = "Letter 17/3 to the prosecutor of Irkutsk region"


def record(client, reference: str, **fields: str):
    return act(client, reference, "interventions", {"happened_on": "2026-03-20", "note": "", **fields})


@pytest.mark.parametrize("kind", [k for k in Intervention.Kind.values if k != "equipment_returned"])
def test_it_records_every_kind(rita, logged_in, report, kind):
    _, reference = report()
    client = logged_in(rita)
    response = record(client, reference, kind=kind, note=NOTE)
    assert response.status_code == 302
    item = Intervention.objects.get(case__reference=reference)
    assert (item.kind, item.happened_on, item.recorded_by, item.days_held) == (
        kind, dt.date(2026, 3, 20), rita, None)
    page = client.get(f"/staff/cases/{reference}/").content.decode()
    assert "Intervention recorded." in page
    assert str(Intervention.Kind(kind).label).replace("'", "&#x27;") in page
    assert NOTE in page


def test_it_encrypts_the_note_bound_to_the_record(rita, logged_in, report):
    _, reference = report()
    record(logged_in(rita), reference, kind="letter_to_authority", note=NOTE)
    item = Intervention.objects.get()
    assert b"prosecutor" not in bytes(item.sealed_note)
    key = key_for(rita, reference)
    assert boxes.decrypt_json(key, bytes(item.sealed_note), bound_to=item.public_id) == NOTE
    with pytest.raises(boxes.DecryptionError):
        boxes.decrypt_json(key, bytes(item.sealed_note), bound_to=reference)


def test_it_logs_the_record_without_the_note(rita, logged_in, report):
    _, reference = report()
    record(logged_in(rita), reference, kind="lawyer_dispatched", note=NOTE)
    entry = Entry.objects.get(action="intervention.recorded")
    assert (entry.actor, entry.target, entry.detail["kind"]) == (rita, reference, "lawyer_dispatched")
    assert "prosecutor" not in str(entry.detail)


def test_equipment_returned_counts_the_days_held_from_the_report(rita, logged_in, report):
    _, reference = report(occurred_on="2026-03-15")
    client = logged_in(rita)
    assert record(client, reference, kind="equipment_returned", happened_on="2026-06-13").status_code == 302
    item = Intervention.objects.get()
    assert (item.seized_on, item.days_held) == (dt.date(2026, 3, 15), 90)
    assert "held 90 days (taken 2026-03-15)" in client.get(f"/staff/cases/{reference}/").content.decode()


def test_equipment_returned_the_same_day_was_held_no_days(rita, logged_in, report):
    _, reference = report(occurred_on="2026-03-15")
    client = logged_in(rita)
    record(client, reference, kind="equipment_returned", happened_on="2026-03-15")
    assert Intervention.objects.get().days_held == 0


def test_equipment_returned_takes_the_seizure_day_when_the_report_has_only_a_month(rita, logged_in, report):
    _, reference = report(occurred_on="2026-03")
    client = logged_in(rita)
    response = record(client, reference, kind="equipment_returned", happened_on="2026-04-01")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="intervention_seized_on-errors"' in content
    assert "The report dates the incident only to 2026-03. Enter the day the equipment was taken." in content
    assert not Intervention.objects.exists()
    response = record(client, reference, kind="equipment_returned", happened_on="2026-04-01",
                      seized_on="2026-03-10")
    assert response.status_code == 302
    assert Intervention.objects.get().days_held == 22


@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"kind": "bribe"}, "kind", "Select a valid choice."),
    ({"kind": ""}, "kind", "This field is required."),
    ({"kind": "other", "happened_on": ""}, "happened_on", "This field is required."),
    ({"kind": "other", "happened_on": "20/03/2026"}, "happened_on", "Enter a date as YYYY-MM-DD."),
    ({"kind": "other", "happened_on": "2026-02-30"}, "happened_on", "Enter a date as YYYY-MM-DD."),
    ({"kind": "other", "happened_on": "2999-01-01"}, "happened_on", "This date is in the future."),
    ({"kind": "other", "seized_on": "2026-03-01"}, "seized_on", "Only equipment returned has a day"),
    ({"kind": "equipment_returned", "happened_on": "2026-03-01"}, "happened_on",
     "The equipment cannot come back before it was taken (2026-03-15)."),
    ({"kind": "equipment_returned", "seized_on": "2999-01-01"}, "seized_on", "This date is in the future."),
    ({"kind": "other", "note": "x" * 10_001}, "note", "at most 10000 characters"),
    ({"kind": "other", "note": "bad\x1b[31m"}, "note", "control characters"),
    ({"kind": "other", "note": "nul\x00"}, "note", "Null characters are not allowed."),
])
def test_it_refuses_bad_input_naming_the_field(rita, logged_in, report, fields, field, problem):
    _, reference = report(occurred_on="2026-03-15")
    response = record(logged_in(rita), reference, **fields)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="intervention_{field}-errors"' in content
    assert problem in content
    assert not Intervention.objects.exists()
    assert not Entry.objects.filter(action="intervention.recorded").exists()


def test_the_action_refuses_an_unknown_kind(rita, report):
    _, reference = report()
    with pytest.raises(Refused) as refused:
        actions.record_intervention(Case.objects.get(reference=reference), key_for(rita, reference),
                                    kind="bribe", happened_on=dt.date(2026, 3, 20), acting_user=rita)
    assert refused.value.field == "kind"
