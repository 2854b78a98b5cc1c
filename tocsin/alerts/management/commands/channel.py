"""`tocsin channel`: where a team's or a responder's alerts go.

Messages are for administrators at a terminal, in English like Django's own
commands. A refused channel stores nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import Team, User
from tocsin.alerts import outbox, transport
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Channel
from tocsin.audit import log as audit


class Command(BaseCommand):
    help = "Manage alert channels (Apprise URLs): add, list, test, remove."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="add a channel for a team or a responder")
        owner = add.add_mutually_exclusive_group(required=True)
        owner.add_argument("--team", help="the team's name")
        owner.add_argument("--user", help="the responder's username")
        add.add_argument("url", help="an Apprise URL, e.g. mailtos://user:pass@smtp.example.org "
                         "or jsons://hooks.example.org/tocsin")
        add.add_argument("--allow-private", action="store_true",
                         help="allow a loopback or private-network receiver (local relays, tests)")
        verbs.add_parser("list", help="list channels, secrets masked")
        test = verbs.add_parser("test", help="send a test alert through a channel, by its id")
        test.add_argument("id", type=int)
        remove = verbs.add_parser("remove", help="remove a channel by its id")
        remove.add_argument("id", type=int)

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _add(self, *, team, user, url, allow_private, **_):
        owner: dict[str, Team | User] = {}
        if team is not None:
            found_team = Team.objects.filter(name=team).first()
            if found_team is None:
                known = ", ".join(Team.objects.order_by("name").values_list("name", flat=True)) or "none"
                raise CommandError(f"no team named {team!r} (teams: {known}); nothing stored")
            owner["team"] = found_team
        else:
            found_user = User.objects.filter(username=user).first()
            if found_user is None:
                raise CommandError(f"no user named {user!r}; nothing stored")
            if not found_user.is_active:
                raise CommandError(f"user {user!r} is deactivated; nothing stored")
            owner["user"] = found_user
        try:
            label = transport.check_channel_url(url, allow_private=allow_private)
        except transport.ChannelError as exc:
            raise CommandError(f"channel refused: {exc}; nothing stored") from exc
        with transaction.atomic():
            channel = Channel.objects.create(sealed_url=channel_secrets.seal_url(url), label=label,
                                             allow_private=allow_private, **owner)
            audit.record("channel.added", target=str(channel.pk), owner=team or user, label=label,
                         allow_private=allow_private)
        self.stdout.write(f"Added channel {channel.pk}: {label}")

    def _list(self, **_):
        for channel in Channel.objects.select_related("team", "user").order_by("pk"):
            owner = f"team {channel.team.name}" if channel.team else f"user {channel.user.username}"
            private = " (private allowed)" if channel.allow_private else ""
            self.stdout.write(f"{channel.pk}\t{owner}\t{channel.label}{private}\t{self._last(channel)}")

    def _last(self, channel):
        """How the newest alert through the channel fared: the question at 3 a.m."""
        alert = channel.alerts.order_by("-created_at", "-id").first()
        if alert is None:
            return "no alerts yet"
        when = f"{alert.created_at:%Y-%m-%d %H:%M:%S}"
        if alert.status == alert.Status.PENDING and alert.last_error:
            return f"last alert {when}: retrying after {alert.attempts} attempt(s): {alert.last_error}"
        detail = f": {alert.last_error}" if alert.status == alert.Status.DEAD else ""
        return f"last alert {when}: {alert.status}{detail}"

    def _test(self, *, id, **_):
        """Queued through the outbox like any alert, so it tests the worker too."""
        with transaction.atomic():
            channel = Channel.objects.filter(pk=id).first()
            if channel is None:
                raise CommandError(f"no channel {id}")
            outbox.announce(outbox.Announcement(
                "channel.test", f"Tocsin test alert ({timezone.now():%Y-%m-%d %H:%M:%S} UTC)"),
                channels=[channel])
            audit.record("channel.tested", target=str(id))
        self.stdout.write(f"Queued a test alert for channel {id}; the worker sends it "
                          "(`tocsin channel list` shows how it fared)")

    def _remove(self, *, id, **_):
        with transaction.atomic():
            deleted, _ = Channel.objects.filter(pk=id).delete()
            if not deleted:
                raise CommandError(f"no channel {id}")
            audit.record("channel.removed", target=str(id))
        self.stdout.write(f"Removed channel {id}")
