"""Verifiers checking the same certificate at the same moment: every check
recorded, exactly one alert (the conditional update decides, not the read)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from tocsin.alerts.models import Alert
from tocsin.alerts.tests.delivery import add_channel
from tocsin.attestations import actions, checks
from tocsin.attestations.models import Attestation, Verification


@pytest.mark.django_db(transaction=True)
def test_simultaneous_checks_alert_once(organisation, adam):
    add_channel("json://127.0.0.1:9/hook", user="adam")
    attestation = actions.issue_attestation(organisation, acting_user=adam)
    now = timezone.now()
    start = threading.Barrier(6)
    answers: list[str] = []
    failures: list[BaseException] = []

    def verifier() -> None:
        try:
            start.wait(10)
            answers.append(checks.check(attestation.token, now=now)[0].status)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=verifier) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert answers == ["valid"] * 6
    assert Verification.objects.count() == 6
    assert Verification.objects.filter(alerted=True).count() == 1
    assert checks.announce_due() == 1
    assert Alert.objects.filter(event="attestation.checked").count() == 1
    assert Attestation.objects.get().alerted_at == now


@pytest.mark.django_db(transaction=True)
def test_a_worker_pass_writes_the_issuers_alert(organisation, adam):
    """The job is on the worker's list: `tocsin worker` announces the check."""
    import io

    from django.core.management import call_command

    add_channel("json://127.0.0.1:9/hook", user="adam")
    attestation = actions.issue_attestation(organisation, acting_user=adam)
    checks.check(attestation.token)
    assert not Alert.objects.filter(event="attestation.checked").exists()
    call_command("worker", "--once", stdout=io.StringIO())
    assert Alert.objects.filter(event="attestation.checked").count() == 1
    assert Verification.objects.get().announced_at is not None
