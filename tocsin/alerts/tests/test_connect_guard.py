"""The private-address check made again at connect time.

The check when a channel is added cannot be the only one: a public name can
be made to resolve to a private address afterwards (DNS rebinding), and
whoever can write the channels table skips ``tocsin channel add``
altogether. Offline, the honest way to have a name resolve to loopback at
connect time is ``localhost`` itself: these channels are written directly,
as such an attacker would, with ``allow_private`` off, pointing at real
receivers listening on 127.0.0.1 -- and the receivers must get nothing."""

from __future__ import annotations

import socket

import pytest

from tocsin.alerts import outbox, transport
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Alert, Channel
from tocsin.alerts.receivers import SmtpReceiver, WebhookReceiver
from tocsin.alerts.tests.delivery import default_team

pytestmark = pytest.mark.django_db


def planted(url: str, *, allow_private: bool = False) -> Channel:
    """A channel row written straight into the database, no check made."""
    return Channel.objects.create(team=default_team(), sealed_url=channel_secrets.seal_url(url),
                                  label="planted", allow_private=allow_private)


def test_it_refuses_a_webhook_whose_name_resolves_to_loopback(rita, report):
    with WebhookReceiver() as hook:
        planted(f"json://localhost:{hook.port}/hook")
        report()
        assert outbox.deliver_due() == 1
        assert hook.requests == 0
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.DEAD  # a dead letter at once, for an administrator to see
    assert alert.attempts == 1
    assert alert.last_error == ("PrivateAddress: refused at connect: localhost resolves only to "
                                "private or loopback addresses (127.0.0.1)")


def test_it_refuses_a_loopback_address_written_as_a_literal(rita, report):
    with WebhookReceiver() as hook:
        planted(hook.url)  # json://127.0.0.1:PORT/hook, allow_private off
        report()
        outbox.deliver_due()
        assert hook.requests == 0
    assert "refused at connect: 127.0.0.1 resolves only to private or loopback addresses" in \
        Alert.objects.get().last_error


def test_it_refuses_mail_through_a_server_on_loopback(rita, report):
    with SmtpReceiver() as smtp:
        planted(f"mailto://localhost:{smtp.port}?from=tocsin@example.org&to=duty@example.org&mode=insecure")
        report()
        outbox.deliver_due()
        assert smtp.messages == []
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.DEAD
    assert alert.last_error.startswith("PrivateAddress: refused at connect: localhost resolves only")


def test_it_delivers_to_the_same_receiver_when_allowed(rita, report):
    with WebhookReceiver() as hook:
        planted(f"json://localhost:{hook.port}/hook", allow_private=True)
        _, reference = report()
        outbox.deliver_due()
        assert [a.body["reference"] for a in hook.wait_for(1)] == [reference]


def test_it_refuses_only_the_private_channel_of_a_batch(rita, report):
    with WebhookReceiver() as hook:
        planted(f"json://localhost:{hook.port}/refused")
        planted(f"json://localhost:{hook.port}/allowed", allow_private=True)
        report()
        assert outbox.deliver_due() == 2
        arrived = hook.wait_for(1)
        assert len(arrived) == 1 and hook.requests == 1
    statuses = sorted(Alert.objects.values_list("status", flat=True))
    assert statuses == [Alert.Status.DEAD, Alert.Status.DELIVERED]


def test_it_leaves_lookups_outside_a_delivery_alone():
    """The guard is process-wide once installed; only deliveries are checked."""
    transport.install_connect_guard()
    assert socket.getaddrinfo("localhost", 80)[0][4][0] == "127.0.0.1"
    with transport.connect_policy(allow_private=True):
        assert socket.getaddrinfo("localhost", 80)
    with transport.connect_policy(allow_private=False) as delivery, pytest.raises(socket.gaierror):
        socket.getaddrinfo("localhost", 80)
    assert delivery.refusals == [
        "refused at connect: localhost resolves only to private or loopback addresses (127.0.0.1)"]


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.0.0.1", False), ("172.31.255.255", False), ("192.168.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),  # noqa: S104
    ("::1", False), ("fc00::1", False), ("fe80::1%eth0", False), ("::ffff:10.0.0.1", False),
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True), ("::ffff:93.184.215.14", True),
])
def test_it_tells_public_from_private(address, public):
    assert transport.is_public(address) is public
