from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tocsin.accounts.models import Team, User
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts import transport
from tocsin.alerts.models import Channel
from tocsin.audit import log as audit


class Command(BaseCommand):
    help = "Manage alert channels (Apprise URLs): add, list, remove."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="add a channel for a team or a responder")
        owner = add.add_mutually_exclusive_group(required=True)
        owner.add_argument("--team")
        owner.add_argument("--user")
        add.add_argument("url", help="an Apprise URL, e.g. mailtos://user:pass@smtp.example.org "
                         "or jsons://hooks.example.org/tocsin")
        add.add_argument("--allow-private", action="store_true",
                         help="allow a loopback or private-network receiver (local relays, tests)")
        verbs.add_parser("list", help="list channels, secrets masked")
        remove = verbs.add_parser("remove", help="remove a channel by its id")
        remove.add_argument("id", type=int)

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _add(self, *, team, user, url, allow_private, **_):
        owner = {}
        if team:
            owner["team"] = Team.objects.filter(name=team).first()
            if owner["team"] is None:
                raise CommandError(f"no team named {team!r}")
        else:
            owner["user"] = User.objects.filter(username=user).first()
            if owner["user"] is None:
                raise CommandError(f"no user named {user!r}")
        try:
            label = transport.check_channel_url(url, allow_private=allow_private)
        except transport.ChannelError as exc:
            raise CommandError(f"channel refused: {exc}") from exc
        with transaction.atomic():
            channel = Channel.objects.create(sealed_url=channel_secrets.seal_url(url), label=label,
                                             allow_private=allow_private, **owner)
            audit.record("channel.added", target=str(channel.pk), owner=team or user, label=label)
        self.stdout.write(f"Added channel {channel.pk}: {label}")

    def _list(self, **_):
        for channel in Channel.objects.select_related("team", "user").order_by("pk"):
            owner = f"team {channel.team.name}" if channel.team else f"user {channel.user.username}"
            private = " (private allowed)" if channel.allow_private else ""
            self.stdout.write(f"{channel.pk}\t{owner}\t{channel.label}{private}")

    def _remove(self, *, id, **_):  # noqa: A002
        with transaction.atomic():
            deleted, _ = Channel.objects.filter(pk=id).delete()
            if not deleted:
                raise CommandError(f"no channel {id}")
            audit.record("channel.removed", target=str(id))
        self.stdout.write(f"Removed channel {id}")
