"""What an action says when it refuses."""

from __future__ import annotations


class Refused(Exception):
    """The action refused its input and changed nothing.

    ``field`` names the input at fault, as the form or the JSON body calls it,
    so the responder is told exactly what to fix; ``status`` is the HTTP
    status a view answers with (409 when someone else changed the case first)."""

    def __init__(self, field: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status
