"""The worker sends the audit log's anchor to the administrators' own channels,
so a copy of the newest hash lives off the server."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tocsin.alerts import outbox
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel
from tocsin.audit import anchoring, log
from tocsin.audit.models import Entry, Head

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(rita):
    with transaction.atomic():
        log.record("case.opened", actor=rita, target="TX-AAAA-0001")
        log.record("case.closed", actor=rita, target="TX-AAAA-0001")


def test_the_anchor_reaches_an_administrators_channel(entries, adam):
    with WebhookReceiver() as hook:
        add_channel(hook.url, user="adam")
        assert anchoring.send_anchor() == 1
        assert outbox.deliver_due() == 1
        [arrival] = hook.wait_for(1)
    newest = log.anchor()
    assert arrival.body["event"] == anchoring.AUDIT_ANCHOR
    assert arrival.body["anchor"] == str(newest)
    assert log.Anchor.parse(arrival.body["anchor"]) == newest  # what `verify --anchor` takes


def test_only_administrators_get_it(entries, adam, rita):
    add_channel("json://127.0.0.1:9/rita", user="rita")
    add_channel("json://127.0.0.1:9/team", team="default")
    assert anchoring.send_anchor() == 0
    add_channel("json://127.0.0.1:9/adam", user="adam")
    assert anchoring.send_anchor() == 1
    assert Alert.objects.get().channel.user == adam


def test_it_is_sent_once_per_period_whoever_runs_it(entries, adam, settings):
    settings.AUDIT_ANCHOR_HOURS = 24
    add_channel("json://127.0.0.1:9/adam", user="adam")
    now = timezone.now()
    assert anchoring.send_anchor(now) == 1
    assert anchoring.send_anchor(now + dt.timedelta(hours=23)) == 0  # a restarted or second worker
    assert anchoring.send_anchor(now + dt.timedelta(hours=25)) == 1


def test_nothing_to_send_for_an_empty_log_or_when_switched_off(adam, settings):
    add_channel("json://127.0.0.1:9/adam", user="adam")
    Entry.objects.all().delete()  # adding the channel was audited; a fresh site has nothing
    Head.objects.all().delete()
    assert anchoring.send_anchor() == 0
    with transaction.atomic():
        log.record("case.opened", target="TX-AAAA-0001")
    settings.AUDIT_ANCHOR_HOURS = 0
    assert anchoring.send_anchor() == 0
    settings.AUDIT_ANCHOR_HOURS = 24
    assert anchoring.send_anchor() == 1


def test_the_period_comes_from_the_environment_and_refuses_a_negative(tmp_path):
    from tocsin.server.tests.subprocesses import clean_env, run_python

    show = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tocsin.settings'; django.setup(); "
            "from django.conf import settings; print(settings.AUDIT_ANCHOR_HOURS)")

    def start(**variables: str):
        return run_python(show, cwd=tmp_path, env=clean_env(TOCSIN_SECRET_KEY="x", **variables))

    default = start()
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip() == "24"
    assert start(TOCSIN_AUDIT_ANCHOR_HOURS="168").stdout.strip() == "168"
    wrong = start(TOCSIN_AUDIT_ANCHOR_HOURS="-1")
    assert wrong.returncode != 0
    assert "TOCSIN_AUDIT_ANCHOR_HOURS must not be negative" in wrong.stderr


def test_asking_when_the_last_anchor_went_reads_its_own_index(entries, adam):
    from django.db import connection

    channel = add_channel("json://127.0.0.1:9/adam", user="adam")
    now = timezone.now()
    # Many other alerts, for the planner to prefer the index to a scan.
    Alert.objects.bulk_create(
        Alert(channel=channel, event="case.received", reference=f"TX-{n:09d}", payload={},
              idempotency_key=f"bench{n}", next_attempt_at=now, created_at=now) for n in range(2000))
    sql, params = anchoring.sent_since(now).only("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "alert_audit_anchor" in plan, plan
