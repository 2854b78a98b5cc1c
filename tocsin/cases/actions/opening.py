"""Opening stored reports: the worker's half of the intake.

The intake's transaction writes only what the reporter's receipt depends on
-- the case, its sealed keys, its evidence -- and an ``Arrival`` beside them.
That transaction holds SQLite's write lock, and costs PostgreSQL round trips,
while every other report waits; so the rest of a new report's bookkeeping
is done here, by the worker, for many reports in one transaction: the audit
entry, then ``cases_received`` (the acknowledgement clock, the team's alert).

The intake's commit wakes the worker (``alerts.wakeup``), so a team hears
of a report as soon as before, give or take a millisecond; an arrival that
a stopped worker left is opened by the next worker's first pass. Nothing
here touches the sealed content: no key is needed to open a case."""

from __future__ import annotations

import logging

from django.db import connection, transaction

from tocsin.audit import log as audit
from tocsin.server import snapshots
from tocsin.server.rows import Statement

from .. import signals
from ..models import Arrival, Case

log = logging.getLogger("tocsin.worker")

# Reports opened in one transaction; at a few hundred a second this is
# several passes' worth, so a burst never holds the write lock for long.
BATCH = 200
# Never needed to open a case, and most of its row: left on disk.
SEALED = ("sealed_content", "receipt_public_key", "receipt_sealed_key")

_claim_sql = ("DELETE FROM cases_arrival WHERE case_id IN "
              "(SELECT case_id FROM cases_arrival ORDER BY case_id LIMIT %s{lock}) RETURNING case_id, files")
# Several PostgreSQL workers each take different arrivals; SQLite's write lock serialises them.
_claim = {"postgresql": Statement(_claim_sql.format(lock=" FOR UPDATE SKIP LOCKED")),
          "sqlite": Statement(_claim_sql.format(lock=""))}
_claim_one = Statement("DELETE FROM cases_arrival WHERE case_id = %s RETURNING case_id, files")


def open_arrived(limit: int = BATCH) -> int:
    """Open every report that has arrived, ``limit`` to a transaction; return
    how many. A batch that fails is opened again one report at a time, so a
    report that cannot be opened (a bug, bad data) holds back no other: it
    stays, is logged, and is tried again at the next pass."""
    opened = 0
    while True:
        try:
            count = _open(limit)
        except Exception:
            log.exception("opening arrived reports failed; opening them one at a time")
            return opened + _open_singly(limit)
        opened += count
        if count < limit:
            return opened


def _open_singly(limit: int) -> int:
    opened = 0
    for case_id in Arrival.objects.order_by("case_id").values_list("case_id", flat=True)[:limit]:
        try:
            opened += _open(1, case_id=case_id)
        except Exception:
            log.exception("case %s could not be opened; it is tried again at the next pass", case_id)
    return opened


def _open(limit: int, *, case_id: int | None = None) -> int:
    with transaction.atomic():
        claimed = _claim[connection.vendor].rows([limit]) if case_id is None else _claim_one.rows([case_id])
        files = dict(claimed)  # case id -> evidence files
        if not files:
            return 0
        # Locked, so a responder taking a case up now waits for its clock to exist.
        cases = list(Case.objects.select_for_update(of=("self",)).select_related("team")
                     .defer(*SEALED).filter(pk__in=files).order_by("pk"))
        audit.record_many("report.received", [
            (case.reference, {"team": case.team.name, "files": files[case.pk]}) for case in cases])
        signals.cases_received.send(sender=Case, cases=cases, version=snapshots.directory_version())
    return len(files)
