"""An escalation reaches a real webhook receiver through the outbox, and says
nothing sensitive."""

import json

import pytest
from django.core.management import call_command

from tocsin.alerts import outbox, sla
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.conftest import VALID_REPORT

from .helpers import minutes_after

pytestmark = pytest.mark.django_db

SENSITIVE = [VALID_REPORT["narrative"], VALID_REPORT["locality"], VALID_REPORT["perpetrator_name"],
             VALID_REPORT["organisation"], VALID_REPORT["contact"]["value"],
             VALID_REPORT["items_seized"]["kind"], "Irkutsk", "Baikal"]
# Apprise's own JSON envelope, and the fields DESIGN.md lets an alert carry.
ALLOWED_KEYS = {"version", "title", "message", "attachments", "type",
                "event", "reference", "country", "act_types", "severity", "link", "idempotency_key"}


def test_the_shift_lead_receives_the_escalation_and_nothing_sensitive(raid, rita, lena):
    with WebhookReceiver() as hook:
        call_command("channel", "add", "--user", "lena", hook.url, "--allow-private")
        case = raid()
        assert outbox.deliver_due() == 0  # the immediate alert is the on-call responders', not lena's
        sla.run_due(minutes_after(case, 60))
        while outbox.deliver_due():
            pass
        arrived = hook.wait_for(2)

    # The shift lead is told when the 15 minutes of a critical case pass, and again at 60.
    assert sorted(item.body["event"] for item in arrived) == ["case.escalated", "case.overdue"]
    escalation = next(item for item in arrived if item.body["event"] == "case.escalated")
    assert escalation.body["title"] == (f"Escalated: case {case.reference} has waited 60 minutes "
                                        "without acknowledgement")
    assert (escalation.body["reference"], escalation.body["country"], escalation.body["severity"]) == \
        (case.reference, "RU", "critical")
    assert escalation.body["link"].endswith(f"/staff/cases/{case.reference}/")
    assert escalation.headers["Idempotency-Key"] == escalation.body["idempotency_key"]
    for item in arrived:
        assert set(item.body) <= ALLOWED_KEYS, set(item.body) - ALLOWED_KEYS
        text = json.dumps(item.body, ensure_ascii=False)
        for value in SENSITIVE:
            assert value not in text, value
