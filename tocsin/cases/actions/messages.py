"""Messages between responders and the reporter, encrypted under the case key.

The body is bound to the case reference, as the report is: a message pasted
onto another case fails to open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.audit import log as audit
from tocsin.crypto import boxes

from .. import signals
from ..models import Case, Message


@transaction.atomic
def send_to_reporter(case: Case, case_key: bytes, body: str, *, acting_user: Any,
                     now: dt.datetime | None = None) -> Message:
    """A responder writes to the reporter; ``body`` is already validated."""
    message = Message.objects.create(
        case=case, direction=Message.Direction.TO_REPORTER, author=acting_user,
        sent_at=now or timezone.now(),
        ciphertext=boxes.encrypt_json(case_key, body, bound_to=case.reference),
    )
    audit.record("message.sent", actor=acting_user, target=case.reference)
    return message


@transaction.atomic
def receive_from_reporter(case: Case, case_key: bytes, body: str, *,
                          now: dt.datetime | None = None) -> Message:
    """The reporter answers; ``case_key`` was unsealed with their receipt.

    The audit entry has no actor (the reporter has no account) and nothing
    about the reporter's connection, only that a message arrived."""
    message = Message.objects.create(
        case=case, direction=Message.Direction.FROM_REPORTER, author=None,
        sent_at=now or timezone.now(),
        ciphertext=boxes.encrypt_json(case_key, body, bound_to=case.reference),
    )
    audit.record("message.received", target=case.reference)
    signals.reporter_replied.send(sender=Case, case=case)
    return message
