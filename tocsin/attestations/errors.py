"""What an attestation action says when it refuses."""

from __future__ import annotations


class Refused(Exception):
    """The action refused its input and changed nothing; ``field`` names the
    input at fault as the command, form or JSON body calls it."""

    def __init__(self, field: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status
