from django.core.management.base import BaseCommand, CommandError

from tocsin.audit.log import Anchor, anchor, verify


class Command(BaseCommand):
    help = ("Check the audit log. `tocsin audit verify` reports the first broken link; "
            "`tocsin audit anchor` prints the newest entry's number and hash, to keep where the "
            "server cannot write (mail it away daily), and `verify --anchor` checks the log "
            "still holds it, which shows even a rewrite of the whole chain.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["verify", "anchor"])
        parser.add_argument("--anchor", action="append", default=[], metavar="NUMBER:HASH",
                            help="with verify: an anchor printed earlier by `tocsin audit anchor` "
                                 "(repeatable)")

    def handle(self, *args, verb, **options):
        if verb == "anchor":
            if options["anchor"]:
                raise CommandError("--anchor goes with verify, not with anchor")
            newest = anchor()
            if newest is None:
                raise CommandError("the audit log is empty: there is nothing to anchor yet")
            self.stdout.write(str(newest))
            return
        try:
            anchors = [Anchor.parse(text) for text in options["anchor"]]
        except ValueError as exc:
            raise CommandError(f"--anchor: {exc}") from None
        broken = verify(anchors)
        if broken is not None:
            raise CommandError(f"audit log broken at entry {broken.seq}: {broken.reason}")
        self.stdout.write("audit log intact" + ("; it holds every anchor given" if anchors else ""))
