"""The ``tocsin`` console script: Django's management commands with Tocsin's settings."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["verify"]:
        # Offline verification runs where Tocsin is not deployed (a court's or
        # a police officer's laptop): no settings, no secret, no database.
        from tocsin.attestations.offline import main as verify

        sys.exit(verify(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tocsin", *sys.argv[1:]])


if __name__ == "__main__":
    main()
