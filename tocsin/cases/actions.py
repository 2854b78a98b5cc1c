"""What responders do to a case. Each action is atomic and audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.audit import log as audit
from tocsin.crypto import boxes

from .models import Case, CustodyEntry, Evidence, Message


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    content: dict[str, str]
    evidence: list[tuple[Evidence, dict[str, Any]]]
    messages: list[tuple[Message, str]]


@transaction.atomic
def open_case(case: Case, case_key: bytes, *, acting_user: Any) -> OpenedCase:
    """Decrypt a case for a responder; every decryption is written to the audit log."""
    content = boxes.decrypt_json(case_key, bytes(case.sealed_content), bound_to=case.reference)
    evidence = [
        (item, boxes.decrypt_json(case_key, bytes(item.sealed_meta), bound_to=item.public_id))
        for item in case.evidence.order_by("id")
    ]
    messages = [
        (message, boxes.decrypt_json(case_key, bytes(message.ciphertext), bound_to=case.reference))
        for message in case.messages.select_related("author")
    ]
    audit.record("case.opened", actor=acting_user, target=case.reference)
    return OpenedCase(case, content, evidence, messages)


@transaction.atomic
def open_evidence(case: Case, item: Evidence, case_key: bytes, *, acting_user: Any) -> dict[str, Any]:
    """The evidence's metadata (with its file key); the opening joins its chain of custody."""
    meta = boxes.decrypt_json(case_key, bytes(item.sealed_meta), bound_to=item.public_id)
    CustodyEntry.objects.create(
        evidence=item, at=timezone.now(), action=CustodyEntry.Action.OPENED, actor=acting_user,
        sealed_detail=boxes.encrypt_json(case_key, {}, bound_to=item.public_id),
    )
    audit.record("evidence.opened", actor=acting_user, target=case.reference, evidence=item.public_id)
    return meta


@transaction.atomic
def send_to_reporter(case: Case, case_key: bytes, body: str, *, acting_user: Any) -> Message:
    message = Message.objects.create(
        case=case, direction=Message.Direction.TO_REPORTER, author=acting_user,
        sent_at=timezone.now(),
        ciphertext=boxes.encrypt_json(case_key, body, bound_to=case.reference),
    )
    audit.record("message.sent", actor=acting_user, target=case.reference)
    return message
