"""`python -m tocsin worker` as a process of its own, on the test database:
real reports' alerts reach real receivers, woken on commit, not by the poll."""

from __future__ import annotations

import time

import pytest

from tocsin.accounts.models import Team
from tocsin.alerts.models import Alert
from tocsin.alerts.receivers import SmtpReceiver, WebhookReceiver
from tocsin.alerts.tests.delivery import Worker, add_channel, settled

# The worker commits in its own process: the test's writes must be committed too.
pytestmark = pytest.mark.django_db(transaction=True)

# The longest an alert may take from commit to receiver here. The worker
# polls only every 30 s, so anything under that was a wake-up; 3 s leaves a
# loaded CI machine room while still meaning "at once".
AT_ONCE = 3.0


def test_it_delivers_by_webhook_and_mail(rita, report, tmp_path):
    with WebhookReceiver() as hook, SmtpReceiver() as smtp, Worker(tmp_path, "--poll", "30") as worker:
        add_channel(hook.url, team=Team.DEFAULT)
        add_channel(smtp.url("rita@example.org"), user="rita")
        _, reference = report()
        assert [a.body["reference"] for a in hook.wait_for(1, timeout=AT_ONCE)] == [reference]
        [mail] = smtp.wait_for(1, timeout=AT_ONCE)
        assert reference in mail["Subject"]
        settled()
        assert set(Alert.objects.values_list("status", flat=True)) == {Alert.Status.DELIVERED}
        assert ", woken on commit," in worker.log()


def test_it_wakes_on_commit_while_sleeping_through_a_long_poll(rita, report, tmp_path):
    with WebhookReceiver() as hook, Worker(tmp_path, "--poll", "30"):
        add_channel(hook.url, team=Team.DEFAULT)
        time.sleep(1.5)  # the worker is deep in its 30-second sleep
        for n in range(1, 4):
            started = time.time()
            report()
            arrived = hook.wait_for(n, timeout=AT_ONCE)
            assert len(arrived) == n, f"alert {n} did not arrive within {AT_ONCE} s"
            assert arrived[-1].at - started < AT_ONCE


def test_it_stops_on_sigterm_within_a_second_or_so(rita, tmp_path):
    worker = Worker(tmp_path, "--poll", "30").start()
    began = time.monotonic()
    worker.stop()
    assert time.monotonic() - began < 5
    assert worker.process is not None and worker.process.returncode == 0
    assert "worker stopped" in worker.log()


def test_it_finds_alerts_committed_before_it_started(rita, report, tmp_path):
    """A wake-up sent while no worker listens is lost; the first pass is not."""
    with WebhookReceiver() as hook:
        add_channel(hook.url, team=Team.DEFAULT)
        _, reference = report()
        with Worker(tmp_path, "--poll", "30"):
            assert [a.body["reference"] for a in hook.wait_for(1, timeout=AT_ONCE)] == [reference]


def test_it_goes_on_delivering_while_one_receiver_hangs(rita, report, tmp_path):
    """A receiver that never answers ties up one delivery thread, not the alerts behind it."""
    import socket

    with socket.socket() as tarpit, WebhookReceiver() as hook, Worker(tmp_path, "--poll", "30") as worker:
        tarpit.bind(("127.0.0.1", 0))
        tarpit.listen(16)  # accepts connections (the kernel does) and never answers
        add_channel(f"json://127.0.0.1:{tarpit.getsockname()[1]}/hangs", user="rita")
        add_channel(hook.url, team=Team.DEFAULT)
        for n in range(1, 4):
            report()
            assert len(hook.wait_for(n, timeout=AT_ONCE)) == n
        worker.kill()  # a stop would wait out the hung deliveries' read timeout
