"""A new report: the team's channels and its on-call responders' channels get
an alert at once, written when the worker opens the report (``report``
opens it as the worker would)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.utils.datastructures import MultiValueDict

from tocsin.accounts.models import Team, User
from tocsin.alerts import announcements, outbox
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel
from tocsin.cases import signals
from tocsin.cases.actions import opening
from tocsin.cases.models import Arrival, Case
from tocsin.conftest import VALID_REPORT, make_responder
from tocsin.intake.actions import submit_report
from tocsin.intake.forms import ReportForm

pytestmark = pytest.mark.django_db


def owners(alerts) -> set[str]:
    return {f"team:{a.channel.team.name}" if a.channel.team else a.channel.user.username for a in alerts}


def test_it_alerts_the_team_and_its_on_call_responders_only(rita, lena, bora, report):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    add_channel("json://127.0.0.1:9/rita", user="rita")
    add_channel("json://127.0.0.1:9/lena", user="lena")  # shift lead: the ladder's later rung
    add_channel("json://127.0.0.1:9/bora", user="bora")  # another team
    add_channel("json://127.0.0.1:9/belarus", team="belarus")
    _, reference = report()
    alerts = Alert.objects.filter(event=announcements.CASE_RECEIVED, reference=reference)
    assert owners(alerts) == {"team:default", "rita"}
    assert {a.status for a in alerts} == {Alert.Status.PENDING}


def test_it_alerts_the_team_that_claims_the_country(rita, bora, report):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    add_channel("json://127.0.0.1:9/bora", user="bora")
    add_channel("json://127.0.0.1:9/belarus", team="belarus")
    _, reference = report(country="BY")
    assert owners(Alert.objects.filter(reference=reference)) == {"team:belarus", "bora"}


def test_it_says_only_what_an_alert_may_say(rita, report):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    _, reference = report()
    alert = Alert.objects.get(reference=reference)
    case = Case.objects.get(reference=reference)
    assert alert.payload == {
        "title": f"New report {reference}: raid, seizure in RU",
        "country": "RU",
        "act_types": "raid, seizure",
        "severity": case.severity,
        "link": f"{settings.BASE_URL}/staff/cases/{reference}/",
    }
    assert alert.idempotency_key.endswith(f"-{alert.channel_id}")


def test_it_writes_alerts_in_english_whatever_the_reporters_language(rita, report):
    add_channel("json://127.0.0.1:9/team", team=Team.DEFAULT)
    _, reference = report(language="ru")
    assert Alert.objects.get(reference=reference).payload["title"].startswith("New report ")


def test_it_gives_every_channel_its_own_idempotency_key(rita, report):
    add_channel("json://127.0.0.1:9/a", team=Team.DEFAULT)
    add_channel("json://127.0.0.1:9/b", team=Team.DEFAULT)
    add_channel("json://127.0.0.1:9/rita", user="rita")
    report()
    report()
    keys = list(Alert.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 6 and len(set(keys)) == 6
    # One event id per report, shared by its three alerts.
    assert len({key.rsplit("-", 1)[0] for key in keys}) == 2


def test_it_stores_the_report_when_nobody_has_a_channel(rita, report):
    _, reference = report()
    assert Case.objects.filter(reference=reference).exists()
    assert not Alert.objects.exists()


def test_it_skips_responders_who_were_deactivated(rita, report):
    add_channel("json://127.0.0.1:9/rita", user="rita")
    # Deactivated after adding the channel: still a reader of old cases, but no longer on call.
    User.objects.filter(username="rita").update(is_active=False)
    make_responder("vera", Team.DEFAULT)  # someone must still be able to read the report
    report()
    assert not Alert.objects.exists()


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_it_writes_no_alert_and_sends_nothing_when_the_opening_rolls_back(rita, report):
    """The outbox rows commit or vanish with the worker's opening of the report:
    a failure after the alerts were written takes them back, and the report
    waits, stored, to be opened at the next pass."""
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        _, kept = report()  # a report that opens, so the receiver is known to work

        def fail_after_alerts(sender, cases, **kwargs):
            assert Alert.objects.filter(reference=cases[0].reference).exists()  # written, not committed
            raise Boom

        signals.cases_received.connect(fail_after_alerts, dispatch_uid="test.fail_after_alerts")
        try:
            _, failed = report()  # stored; the fixture's opening fails, and says so in the log
        finally:
            signals.cases_received.disconnect(dispatch_uid="test.fail_after_alerts")
        assert Arrival.objects.filter(case__reference=failed).exists()
        assert list(Alert.objects.values_list("reference", flat=True)) == [kept]
        assert outbox.deliver_due() == 1
        arrived = hook.wait_for(1)
        assert [a.body["reference"] for a in arrived] == [kept]

        assert opening.open_arrived() == 1  # the next pass
        assert Alert.objects.filter(reference=failed).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_stores_nothing_to_open_when_an_enclosing_transaction_fails(rita):
    """An action that calls intake inside its own transaction and then fails:
    the arrival goes with the case, so no alert is ever written."""
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        report_input = report_input_from(VALID_REPORT)
        with pytest.raises(RuntimeError), transaction.atomic():
            submit_report(report_input)
            assert Arrival.objects.count() == 1
            raise RuntimeError("the enclosing action failed")
        assert not Case.objects.exists()
        assert not Arrival.objects.exists()
        assert opening.open_arrived() == 0
        assert not Alert.objects.exists()
        assert outbox.deliver_due() == 0
        assert hook.wait_for(1, timeout=0.5) == []
        assert hook.requests == 0


def report_input_from(body):
    """A validated report, as the API builds it from JSON."""
    from tocsin.intake import api

    data, _language = api._from_json(json.dumps(body).encode())
    form = ReportForm(data, MultiValueDict(), language="en")
    assert form.is_valid(), form.errors
    return form.to_input()
