from django.core.management.base import BaseCommand, CommandError

from tocsin.audit.log import verify


class Command(BaseCommand):
    help = "Check the audit log: `tocsin audit verify` reports the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["verify"])

    def handle(self, *args, **options):
        broken = verify()
        if broken is not None:
            raise CommandError(f"audit log broken at entry {broken.seq}: {broken.reason}")
        self.stdout.write("audit log intact")
