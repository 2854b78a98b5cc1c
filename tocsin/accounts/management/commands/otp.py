"""`tocsin otp reset USERNAME`: a responder lost their phone.

A dry run unless given --for-real: it says what would go. For real, it removes
the account's authenticator devices and ends its sessions; at the next login
(password, as always) the responder sets up a new app. Check who is asking
before running it: whoever gets it run for an account they hold the password
of can enrol their own phone.
"""

from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts import actions
from tocsin.accounts.models import User


class Command(BaseCommand):
    help = "Second-factor administration. `reset USERNAME` removes a lost phone (dry run unless --for-real)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        reset = commands.add_parser("reset", help="remove USERNAME's authenticator apps and end their "
                                                  "sessions; they set up a new app at the next login")
        reset.add_argument("username")
        reset.add_argument("--for-real", action="store_true", help="do it; without this, only say what "
                                                                   "would be done")

    def handle(self, *args, command, username, for_real, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"there is no user named {username!r}")
        if not for_real:
            devices, sessions = len(actions.devices_of(user)), len(actions.sessions_of(user))
            self.stdout.write(f"Would remove {devices} authenticator device(s) of {username} and end "
                              f"{sessions} session(s). Nothing was changed; run again with --for-real.")
            return
        devices, sessions = actions.reset_second_factor(user)
        self.stdout.write(f"Removed {devices} authenticator device(s) of {username} and ended "
                          f"{sessions} session(s). They set up a new app at their next login.")
