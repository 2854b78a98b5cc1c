"""What an enrolment action says when it refuses."""

from __future__ import annotations


class Refused(Exception):
    """The action refused and changed nothing; ``field`` names the input at
    fault as the form calls it, ``status`` is the HTTP status to answer with
    (409 when the application was decided meanwhile)."""

    def __init__(self, field: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status
