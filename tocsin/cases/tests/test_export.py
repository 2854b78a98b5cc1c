"""GET /staff/cases/<ref>/export/: the whole case decrypted, as a JSON download,
after recent authentication, and audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from tocsin.audit.models import Entry
from tocsin.cases.tests.conftest import EVIDENCE, MARKER, act, fresh, stale

pytestmark = pytest.mark.django_db


def export(client, reference: str):
    return client.get(f"/staff/cases/{reference}/export/")


def test_it_downloads_the_case_with_everything_done_on_it(rita, logged_in, file_report):
    filed = file_report()
    client = fresh(logged_in(rita))
    follow_up = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    act(client, filed.reference, "state", {"to_state": "vetting"})
    act(client, filed.reference, "labels", {"labels": "press"})
    act(client, filed.reference, "interventions", {"kind": "equipment_returned", "happened_on": "2026-04-14",
                                                   "note": "Four laptops back"})
    act(client, filed.reference, "referrals",
        {"partner": "Memorial", "note": "Anna", "follow_up_on": follow_up})
    act(client, filed.reference, "messages", {"body": "We are on it."})
    b"".join(client.get(f"/staff/cases/{filed.reference}/evidence/{filed.evidence_id}/").streaming_content)
    Client().post("/api/v1/reports/messages", {"body": "Thank you"}, content_type="application/json",
                  headers={"Authorization": f"Receipt {filed.receipt}"})

    response = export(client, filed.reference)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filed.reference}.json"'
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["format"] == "tocsin-case-export/1"
    assert document["exported_by"] == "rita"
    case = document["case"]
    assert (case["reference"], case["status"], case["severity"], case["labels"]) == (
        filed.reference, "vetting", "critical", ["press"])
    assert document["content"]["narrative"] == MARKER
    assert document["readers"] == ["rita"]
    assert [(t["from"], t["to"], t["by"]) for t in document["transitions"]] == [("new", "vetting", "rita")]
    assert set(document["seconds_in_state"]) == {"new", "vetting"}
    assert [(i["kind"], i["days_held"], i["note"]) for i in document["interventions"]] == [
        ("equipment_returned", 30, "Four laptops back")]
    assert [(r["partner"], r["note"], r["follow_up_on"]) for r in document["referrals"]] == [
        ("Memorial", "Anna", follow_up)]
    assert [(m["direction"], m["author"], m["body"]) for m in document["messages"]] == [
        ("to_reporter", "rita", "We are on it."), ("from_reporter", None, "Thank you")]
    (evidence,) = document["evidence"]
    assert (evidence["name"], evidence["size"]) == ("protocol.txt", len(EVIDENCE))
    assert [c["action"] for c in evidence["custody"]] == ["received", "opened"]
    assert evidence["custody"][0]["detail"]["sha256"] == evidence["sha256"]
    assert "file_key" not in response.content.decode()


def test_it_logs_the_export(rita, logged_in, report):
    _, reference = report()
    export(fresh(logged_in(rita)), reference)
    entry = Entry.objects.get(action="case.exported")
    assert (entry.actor, entry.target) == (rita, reference)


def test_a_stale_session_is_asked_for_the_password_first(rita, logged_in, report):
    _, reference = report()
    response = export(stale(logged_in(rita)), reference)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/reauth/?next=%2Fstaff%2Fcases%2F{reference}%2Fexport%2F"
    assert not Entry.objects.filter(action="case.exported").exists()


def test_it_only_answers_get(rita, logged_in, report):
    _, reference = report()
    assert fresh(logged_in(rita)).post(f"/staff/cases/{reference}/export/").status_code == 405
    assert not Entry.objects.filter(action="case.exported").exists()


def test_the_case_page_links_to_it(rita, logged_in, report):
    _, reference = report()
    page = logged_in(rita).get(f"/staff/cases/{reference}/").content.decode()
    assert f'href="/staff/cases/{reference}/export/"' in page
    assert f'href="/staff/cases/{reference}/access/"' in page
