"""`tocsin channel add|list|test|remove`: clear errors, nothing stored on a refusal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tocsin.accounts.models import Team
from tocsin.alerts import outbox
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Alert, Channel
from tocsin.alerts.receivers import WebhookReceiver
from tocsin.alerts.tests.delivery import add_channel
from tocsin.audit.models import Entry

pytestmark = pytest.mark.django_db


def channel(*args: str) -> str:
    out = io.StringIO()
    call_command("channel", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    audit_entries = Entry.objects.count()
    with pytest.raises(CommandError) as error:
        channel("add", *args)
    assert not Channel.objects.exists()
    assert Entry.objects.count() == audit_entries
    return str(error.value)


def test_it_adds_a_team_channel_sealed_and_audited(rita):
    out = channel("add", "--team", "default", "json://127.0.0.1:8080/hook", "--allow-private")
    stored = Channel.objects.get()
    assert out == f"Added channel {stored.pk}: {stored.label}\n"
    assert (stored.team.name, stored.user, stored.allow_private) == (Team.DEFAULT, None, True)
    assert b"127.0.0.1" not in bytes(stored.sealed_url)  # encrypted at rest
    assert channel_secrets.open_url(bytes(stored.sealed_url)) == "json://127.0.0.1:8080/hook"
    entry = Entry.objects.get(action="channel.added")
    assert (entry.target, entry.detail["owner"]) == (str(stored.pk), Team.DEFAULT)


def test_it_adds_a_responders_channel(rita):
    add_channel("json://127.0.0.1:8080/rita", user="rita")
    assert Channel.objects.get().user.username == "rita"


def test_it_masks_secrets_in_the_label_and_the_list(rita):
    add_channel("mailto://alerts:hunter2-secret@127.0.0.1:2525?from=tocsin@example.org"
                "&to=duty@example.org&mode=insecure", team="default")
    stored = Channel.objects.get()
    listing = channel("list")
    for text in (stored.label, listing):
        assert "hunter2-secret" not in text
    assert f"{stored.pk}\tteam default\t" in listing
    assert "(private allowed)\tno alerts yet" in listing


def test_it_refuses_an_unknown_team(rita):
    assert "no team named 'nobody' (teams: default); nothing stored" in refused(
        "--team", "nobody", "json://127.0.0.1/hook", "--allow-private")


def test_it_refuses_an_unknown_user(rita):
    assert "no user named 'nobody'; nothing stored" in refused(
        "--user", "nobody", "json://127.0.0.1/hook", "--allow-private")


def test_it_refuses_a_deactivated_user(rita):
    rita.is_active = False
    rita.save()
    assert "user 'rita' is deactivated" in refused("--user", "rita", "json://127.0.0.1/h", "--allow-private")


def test_it_refuses_both_owners_and_none(rita):
    with pytest.raises(CommandError, match="not allowed with argument"):
        channel("add", "--team", "default", "--user", "rita", "json://127.0.0.1/h")
    with pytest.raises(CommandError, match="one of the arguments --team --user is required"):
        channel("add", "json://127.0.0.1/h")
    assert not Channel.objects.exists()


@pytest.mark.parametrize("url", ["not a url", "https://hooks.example.org/tocsin", "nonsense://x",
                                 "json://", "mailto://"])
def test_it_refuses_what_is_not_a_channel_url(rita, url):
    message = refused("--team", "default", url, "--allow-private")
    assert "channel refused:" in message
    assert message.endswith("; nothing stored")


@pytest.mark.parametrize("url, address", [
    ("json://127.0.0.1:8080/hook", "127.0.0.1"),
    ("jsons://localhost/hook", "127.0.0.1"),
    ("json://[::1]:8080/hook", "::1"),
    ("json://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
    ("json://10.1.2.3/hook", "10.1.2.3"),
    ("json://192.168.1.10/hook", "192.168.1.10"),
    ("json://172.16.0.5/hook", "172.16.0.5"),
    ("json://169.254.169.254/latest", "169.254.169.254"),  # a cloud's metadata service
    ("json://0.0.0.0:8080/hook", "0.0.0.0"),  # noqa: S104
    ("json://2130706433/hook", "127.0.0.1"),  # 127.0.0.1 spelt as one number
    ("mailto://localhost:2525?to=duty@example.org&mode=insecure", "127.0.0.1"),
    ("mailto://duty@example.org?smtp=127.0.0.1&mode=insecure", "127.0.0.1"),
])
def test_it_refuses_private_addresses_without_allow_private(rita, url, address):
    message = refused("--team", "default", url)
    assert f"a private or loopback address ({address})" in message
    assert "add the channel with --allow-private if that is intended" in message


def test_it_refuses_a_self_hosted_receiver_it_cannot_resolve(rita):
    message = refused("--team", "default", "json://receiver.invalid/hook")
    assert "cannot resolve receiver.invalid" in message


def test_it_removes_a_channel(rita):
    stored = add_channel("json://127.0.0.1:8080/hook", team="default")
    assert channel("remove", str(stored.pk)) == f"Removed channel {stored.pk}\n"
    assert not Channel.objects.exists()
    assert Entry.objects.filter(action="channel.removed", target=str(stored.pk)).exists()
    with pytest.raises(CommandError, match=f"no channel {stored.pk}"):
        channel("remove", str(stored.pk))


def test_it_sends_a_test_alert_through_the_outbox(rita):
    with WebhookReceiver() as hook:
        stored = add_channel(hook.url, team="default")
        add_channel(hook.url.replace("/hook", "/other"), team="default")
        assert "Queued a test alert for channel" in channel("test", str(stored.pk))
        assert outbox.deliver_due() == 1
        [arrival] = hook.wait_for(1)
    assert arrival.body["event"] == "channel.test"
    assert arrival.body["title"].startswith("Tocsin test alert")
    assert f"\tlast alert {Alert.objects.get().created_at:%Y-%m-%d %H:%M:%S}: delivered" in channel("list")
    with pytest.raises(CommandError, match="no channel 999"):
        channel("test", "999")
