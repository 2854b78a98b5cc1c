"""`tocsin sla show|set`: the response-time promises, by default and per team."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.models import Team
from tocsin.alerts import actions, sla


def minutes_or_default(value: str) -> int | None:
    """A whole number of minutes, or ``default`` to drop the team's own value."""
    if value.strip().lower() == "default":
        return None
    try:
        minutes = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a whole number of minutes (or 'default')") from None
    if not 1 <= minutes <= sla.MAX_MINUTES:
        raise argparse.ArgumentTypeError(f"{minutes} is outside 1 to {sla.MAX_MINUTES} minutes")
    return minutes


class Command(BaseCommand):
    help = ("Show or change the response-time promises: minutes to acknowledge a case of each "
            "severity, and minutes without acknowledgement before the shift lead, then the director, "
            "is alerted. Defaults come from the environment (TOCSIN_SLA_*); teams may override them.")

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        show = verbs.add_parser("show", help="the defaults and every team's effective policy "
                                "(* marks a team's own value)")
        show.add_argument("--team", help="only this team")
        change = verbs.add_parser("set", help="override durations for a team ('default' resets one)")
        change.add_argument("--team", required=True)
        durations = {
            "--critical": "acknowledge a critical case within",
            "--high": "acknowledge a high-severity case within",
            "--normal": "acknowledge a normal case within",
            "--shift-lead": "alert the shift lead after this long without acknowledgement",
            "--director": "alert the director after this long without acknowledgement",
        }
        for option, meaning in durations.items():
            # Absent unless given (SUPPRESS), so "leave alone" differs from "default".
            change.add_argument(option, type=minutes_or_default, metavar="MINUTES",
                                default=argparse.SUPPRESS, help=meaning)

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _team(self, name):
        team = Team.objects.filter(name=name).first()
        if team is None:
            raise CommandError(f"no team named {name!r}")
        return team

    def _row(self, label, policy):
        values = [f"{policy.minutes[name]}{'*' if name in policy.overridden else ''}"
                  for name in sla.POLICY_FIELDS]
        return "\t".join([label, *values])

    def _show(self, *, team, **_):
        teams = [self._team(team)] if team else list(Team.objects.order_by("name"))
        self.stdout.write("\t".join(["team", *sla.POLICY_FIELDS]) + "\t(minutes)")
        self.stdout.write(self._row("(defaults)", sla.Policy(sla.default_minutes())))
        for each in teams:
            self.stdout.write(self._row(each.name, sla.policy_for(each)))

    def _set(self, *, team, **options):
        changes = {name: options[name] for name in sla.POLICY_FIELDS if name in options}
        try:
            policy = actions.set_policy(self._team(team), changes)
        except sla.PolicyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self._row(team, policy))
