"""Storing a report: encrypt, seal, write, commit -- then, and only then, a receipt.

The commit holds what the receipt promises (the case, readable by its team
and by the receipt) and an arrival; the worker opens the case from there
(``cases.actions.opening``): its audit entry, its clock, its alerts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tocsin.alerts import wakeup
from tocsin.cases.models import Case, CaseKey, CustodyEntry, Evidence, provisional_severity
from tocsin.crypto import boxes, receipts
from tocsin.server import snapshots
from tocsin.server.rows import Insert, Statement

from . import evidence
from .forms import ReportInput
from .routing import route

# Crockford's base32 without look-alikes: references are read out on the phone too.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Submitted:
    case: Case
    receipt: str  # shown to the reporter once, never stored


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"TX-{body[:4]}-{body[4:]}"


_insert_case = Insert(Case)
_insert_keys = Insert(CaseKey)
_insert_arrival = Statement("INSERT INTO cases_arrival (case_id, files) VALUES (%s, %s)")


def submit_report(report: ReportInput) -> Submitted:
    """Store a validated report so that only its readers and its receipt can open it.

    The evidence files are moved into the store and synced before the database
    transaction commits; if the transaction fails they are removed again, so
    nothing is left half-stored. Raises ``routing.NoResponders``."""
    receipt = receipts.new_receipt()
    for attempt in range(STALE_RETRIES):
        try:
            return Submitted(_store(report, receipt, fresh=attempt > 0), receipt)
        except snapshots.Stale:
            continue  # the team or its keys changed meanwhile: route and seal again
    for upload in report.files:
        upload.discard()
    raise snapshots.Stale("the directory kept changing while a report was stored")


# A retry routes from a copy read just before its transaction, so it fails
# again only if an administrator commits a change in that moment, every time.
STALE_RETRIES = 5


def _store(report: ReportInput, receipt: str, *, fresh: bool) -> Case:
    version, destination = route(report.country, fresh=fresh)
    case_key = boxes.new_report_key()
    reference = new_reference()
    receipt_public_key = receipts.public_key(receipt)
    now = timezone.now()

    case = Case(
        reference=reference, team=destination.team, received_at=now, language=report.language,
        act_types=report.act_types, occurred_on=report.occurred_on,
        occurred_precision=report.occurred_precision, country=report.country,
        perpetrator_type=report.perpetrator_type, company=report.company,
        items_seized_count=report.items_seized_count,
        severity=provisional_severity(report.act_types),
        sealed_content=boxes.encrypt_json(case_key, report.sealed_fields(), bound_to=reference),
        receipt_tag=receipts.lookup_tag(receipt).hex(),
        receipt_public_key=receipt_public_key,
        receipt_sealed_key=boxes.seal(case_key, receipt_public_key),
    )
    # Sealed before the transaction: on SQLite every writer waits while it is open.
    sealed_keys = [(user_id, boxes.seal(case_key, public)) for user_id, public in destination.readers]
    # The files stay in the store when the directory changed meanwhile: the retry uses them.
    with evidence.moved_in(report.files, keep_on=(snapshots.Stale,)) as metas:
        stored = [
            (Evidence(public_id=upload.public_id, stored_at=now,
                      sealed_meta=boxes.encrypt_json(case_key, meta, bound_to=upload.public_id)),
             CustodyEntry(at=now, action=CustodyEntry.Action.RECEIVED,
                          sealed_detail=boxes.encrypt_json(case_key, {"sha256": upload.sha256},
                                                           bound_to=upload.public_id)))
            for upload, meta in zip(report.files, metas, strict=True)
        ]
        with transaction.atomic():
            if snapshots.directory_version() != version:
                raise snapshots.Stale
            # Plain inserts: this transaction holds SQLite's write lock (see rows.Insert).
            _insert_case.rows([case])
            _insert_keys.rows([CaseKey(case=case, user_id=user_id, sealed_key=sealed)
                               for user_id, sealed in sealed_keys])
            for item, custody in stored:
                item.case = case
                item.save(force_insert=True)
                custody.evidence = item
                custody.save(force_insert=True)
            # The audit entry, the clock and the alerts: the worker's, woken by this commit.
            _insert_arrival.rows([case.pk, len(stored)])
            wakeup.notify_on_commit()
    return case
