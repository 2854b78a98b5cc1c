"""Reading a case: every decryption for a responder is written to the audit log."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.audit import log as audit
from tocsin.crypto import boxes

from .. import workflow
from ..models import Case, CaseTransition, CustodyEntry, Evidence, Intervention, Message, Referral

log = logging.getLogger("tocsin.cases")


def _note(case_key: bytes, sealed: bytes | memoryview, public_id: str) -> str:
    note: str = boxes.decrypt_json(case_key, bytes(sealed), bound_to=public_id)
    return note


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    content: dict[str, str]
    evidence: list[tuple[Evidence, dict[str, Any]]]
    messages: list[tuple[Message, str]]
    interventions: list[tuple[Intervention, str]]
    referrals: list[tuple[Referral, str]]
    transitions: list[CaseTransition]
    time_in_states: dict[str, dt.timedelta]


def _decrypt(case: Case, case_key: bytes, now: dt.datetime) -> OpenedCase:
    content = boxes.decrypt_json(case_key, bytes(case.sealed_content), bound_to=case.reference)
    evidence = [
        (item, boxes.decrypt_json(case_key, bytes(item.sealed_meta), bound_to=item.public_id))
        for item in case.evidence.order_by("id")
    ]
    messages = [
        (message, boxes.decrypt_json(case_key, bytes(message.ciphertext), bound_to=case.reference))
        for message in case.messages.select_related("author")
    ]
    interventions = [(item, _note(case_key, item.sealed_note, item.public_id))
                     for item in case.interventions.select_related("recorded_by")]
    referrals = [(item, _note(case_key, item.sealed_note, item.public_id))
                 for item in case.referrals.select_related("created_by", "followed_up_by")]
    transitions = list(case.transitions.select_related("by"))
    return OpenedCase(case, content, evidence, messages, interventions, referrals, transitions,
                      workflow.time_in_states(case, transitions, now))


@transaction.atomic
def open_case(case: Case, case_key: bytes, *, acting_user: Any, now: dt.datetime | None = None) -> OpenedCase:
    """Decrypt a case for a responder; every decryption is written to the audit log."""
    opened = _decrypt(case, case_key, now or timezone.now())
    audit.record("case.opened", actor=acting_user, target=case.reference)
    return opened


@transaction.atomic
def open_evidence(case: Case, item: Evidence, case_key: bytes, *, acting_user: Any) -> dict[str, Any]:
    """The evidence's metadata (with its file key); the opening joins its chain of custody."""
    meta: dict[str, Any] = boxes.decrypt_json(case_key, bytes(item.sealed_meta), bound_to=item.public_id)
    CustodyEntry.objects.create(
        evidence=item, at=timezone.now(), action=CustodyEntry.Action.OPENED, actor=acting_user,
        sealed_detail=boxes.encrypt_json(case_key, {}, bound_to=item.public_id),
    )
    audit.record("evidence.opened", actor=acting_user, target=case.reference, evidence=item.public_id)
    return meta


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic
def export_case(case: Case, case_key: bytes, *, acting_user: Any,
                now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything about the case, decrypted, as one JSON-ready document.

    What leaves here is out of Tocsin's protection (DESIGN.md: data once a
    responder takes it out), so the export is its own audit entry. File keys
    stay behind: the document describes the evidence and its custody, and the
    files themselves are downloaded one by one, each into their custody chain."""
    now = now or timezone.now()
    opened = _decrypt(case, case_key, now)
    custody = {
        item.pk: [
            {"at": _when(entry.at), "action": entry.action, "by": _username(entry.actor),
             "detail": boxes.decrypt_json(case_key, bytes(entry.sealed_detail), bound_to=item.public_id)}
            for entry in item.custody.select_related("actor")
        ]
        for item, _meta in opened.evidence
    }
    document = {
        "format": "tocsin-case-export/1",
        "exported_at": _when(now),
        "exported_by": acting_user.username,
        "case": {
            "reference": case.reference, "team": case.team.name, "status": case.status,
            "severity": case.severity, "labels": case.labels, "assignee": _username(case.assignee),
            "received_at": _when(case.received_at), "acknowledged_at": _when(case.acknowledged_at),
            "language": case.language, "act_types": case.act_types, "occurred_on": case.occurred_on,
            "occurred_precision": case.occurred_precision, "country": case.country,
            "perpetrator_type": case.perpetrator_type, "company": case.company,
            "items_seized_count": case.items_seized_count,
        },
        "content": opened.content,
        "readers": sorted(case.keys.values_list("user__username", flat=True)),
        "transitions": [
            {"from": t.from_state, "to": t.to_state, "at": _when(t.at), "by": _username(t.by)}
            for t in opened.transitions
        ],
        "seconds_in_state": {state: int(spent.total_seconds())
                             for state, spent in opened.time_in_states.items()},
        "interventions": [
            {"kind": item.kind, "happened_on": _when(item.happened_on), "seized_on": _when(item.seized_on),
             "days_held": item.days_held, "recorded_at": _when(item.recorded_at),
             "recorded_by": _username(item.recorded_by), "note": note}
            for item, note in opened.interventions
        ],
        "referrals": [
            {"partner": item.partner, "note": note, "follow_up_on": _when(item.follow_up_on),
             "created_at": _when(item.created_at), "created_by": _username(item.created_by),
             "followed_up_at": _when(item.followed_up_at),
             "followed_up_by": _username(item.followed_up_by)}
            for item, note in opened.referrals
        ],
        "messages": [
            {"direction": message.direction, "sent_at": _when(message.sent_at),
             "author": _username(message.author), "body": body}
            for message, body in opened.messages
        ],
        "evidence": [
            {"id": item.public_id, "name": meta.get("name"), "mime": meta.get("mime"),
             "size": meta.get("size"), "sha256": meta.get("sha256"), "stored_at": _when(item.stored_at),
             "custody": custody[item.pk]}
            for item, meta in opened.evidence
        ],
    }
    audit.record("case.exported", actor=acting_user, target=case.reference)
    return document


@transaction.atomic
def record_integrity_failure(case: Case, *, acting_user: Any) -> None:
    """A stored ciphertext of ``case`` failed to open with a key that opens
    the case: someone changed it on disk. Recorded for the administrators
    (the audit log and the error log, which names only the reference)."""
    audit.record("case.integrity_failed", actor=acting_user, target=case.reference)
    log.error("case %s: stored ciphertext failed its integrity check", case.reference)
