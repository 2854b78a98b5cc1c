"""A reporter's reply: the case's readers and its team hear of it at once,
and never what the reply says."""

from __future__ import annotations

import json

import pytest

from tocsin.accounts.models import Team
from tocsin.alerts import announcements, outbox
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel
from tocsin.cases.actions import receive_from_reporter
from tocsin.cases.models import Case
from tocsin.crypto import boxes, receipts

pytestmark = pytest.mark.django_db

REPLY = "Canary reply: they came back for the second server at 17:40."


def reply(receipt: str, reference: str, body: str = REPLY) -> None:
    """What /followup/ does with the reporter's answer."""
    case = Case.objects.get(reference=reference)
    case_key = boxes.unseal(bytes(case.receipt_sealed_key), receipts.private_key(receipt))
    receive_from_reporter(case, case_key, body)


def test_it_alerts_the_readers_and_the_team(rita, lena, bora, report):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    add_channel("json://127.0.0.1:9/rita", user="rita")
    add_channel("json://127.0.0.1:9/lena", user="lena")  # a reader too: the report was sealed to her
    add_channel("json://127.0.0.1:9/bora", user="bora")  # cannot read the case
    receipt, reference = report()
    reply(receipt, reference)
    alerts = Alert.objects.filter(event=announcements.REPORTER_REPLIED)
    assert {a.channel.team.name if a.channel.team else a.channel.user.username for a in alerts} == {
        Team.DEFAULT, "rita", "lena"}
    assert {a.reference for a in alerts} == {reference}
    assert alerts[0].payload["title"] == f"The reporter of case {reference} replied"


def test_it_delivers_the_reply_alert_without_the_reply(rita, report):
    with WebhookReceiver() as hook:
        add_channel(hook.url, user="rita")
        receipt, reference = report()
        assert outbox.deliver_due() == 1  # the new report
        reply(receipt, reference)
        assert outbox.deliver_due() == 1
        arrived = hook.wait_for(2)
    assert [a.body["event"] for a in arrived] == ["case.received", "case.reporter_replied"]
    seen = json.dumps([[a.headers, a.body] for a in arrived], ensure_ascii=False)
    for word in ("Canary reply", "second server", receipt):
        assert word not in seen
    assert arrived[1].body["reference"] == reference
