"""Checking a token online: the answer, a record of the check, and the alerts.

Every check is recorded (the token id, the answer, the time: never who
asked). The first check of an attestation in a 5-minute window opens the
window and is marked ``alerted``; later checks in the window are recorded
but alert nobody, so a verifier reloading the page does not flood anyone.

The alerts themselves -- the issuer's, through the outbox, and the
organisation's enrolled contact's, through ``signals.attestation_checked``
-- are written by the worker (``announce_due``, every 5 seconds), not by
the request: the promise is "within 5 minutes", and a verifier's request
that writes one row and holds no transaction leaves the database's one
write lock (SQLite) to everyone else. A busy check is one read and one
insert; the first in a window is one read and, in one short transaction,
the conditional update that opens the window and the insert."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.alerts import outbox
from tocsin.server.rows import Insert, Statement

from . import keys, lookup, verification
from .models import Attestation, Verification
from .signals import attestation_checked

log = logging.getLogger("tocsin.attestations")

ALERT_WINDOW = dt.timedelta(minutes=5)
# Tokens one process remembers the claim and the verdict of (``_verdict``): a
# token is under 1 KB, so a few MB at most, even if a visitor sends junk.
REMEMBERED_TOKENS = 2048
# Alerting checks the worker announces per transaction.
ANNOUNCE_BATCH = 50


@functools.lru_cache(maxsize=REMEMBERED_TOKENS)
def _claimed_token_id(token: str) -> str | None:
    """The token id the payload claims, read before the signature is checked,
    only to find the attestation (and its key) in one query. Nothing is
    trusted until ``verify_token`` has checked the signature."""
    try:
        parsed = verification.parse(token)
        token_id = json.loads(parsed.payload_bytes).get("token_id")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    return token_id if isinstance(token_id, str) and len(token_id) <= 32 else None


@functools.lru_cache(maxsize=REMEMBERED_TOKENS)
def _verdict(token: str, key: verification.Key, revoked_token_id: str | None,
             today: dt.date) -> verification.Result:
    """``verify_token`` for a token we issued, remembered: it is a pure
    function of exactly these arguments (the key with its revocation, the
    attestation's revocation, and the day, which is all of ``now`` it reads),
    so a verifier checking the same certificate again costs no Ed25519
    verification. The answer is shared: callers must not change it."""
    revocations = verification.Revocations(
        token_ids=frozenset() if revoked_token_id is None else frozenset({revoked_token_id}))
    return verification.verify_token(token, {key.key_id: key}, revocations,
                                     dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC))


def answer(token: str, now: dt.datetime) -> tuple[verification.Result, Attestation | None]:
    """The verdict on ``token`` from the database's keys and revocations.

    The common case, a token we issued, costs one query: the attestation
    with its key and organisation. Anything else (forged, unknown key, a
    token id we never issued) reads the key table to tell which it is."""
    token = token.strip()
    claimed = _claimed_token_id(token)
    attestation = None
    if claimed is not None:
        attestation = lookup.attestation_by_token_id(claimed)
    if attestation is not None and attestation.token == token:
        key = attestation.key
        known = keys.as_verifier_key(key.key_id, bytes(key.public_key), key.revoked_at)
        revoked = attestation.token_id if attestation.revoked_at is not None else None
        result = _verdict(token, known, revoked, now.astimezone(dt.UTC).date())
        if result.token_id == attestation.token_id:
            return result, attestation
    result = verification.verify_token(token, keys.verifying_keys(), verification.Revocations(), now)
    if result.token_id:
        # Signed by one of our keys, but not a token we issued: not any
        # organisation's certificate.
        return verification.Result(verification.FORGED, None,
                                   _("This attestation was never issued by Tocsin.")), None
    return result, None


def _window_open(attestation: Attestation, now: dt.datetime) -> bool:
    """Whether a check within the last ``ALERT_WINDOW`` already alerted, as
    far as the row just read shows. If it says no, the conditional update in
    ``_claim_alert`` decides for certain."""
    return attestation.alerted_at is not None and now - ALERT_WINDOW < attestation.alerted_at <= now


_open_window = Statement(
    f"UPDATE {Attestation._meta.db_table} SET alerted_at = %s "  # noqa: S608 -- the model's table
    "WHERE id = %s AND (alerted_at IS NULL OR alerted_at <= %s) RETURNING id")
_insert_check = Insert(Verification)


def _claim_alert(attestation: Attestation, now: dt.datetime) -> bool:
    """One conditional update opens the window, so two verifiers at the same
    moment cannot both alert (the row lock orders them). The caller holds a
    transaction, so the window never opens without its alerting record."""
    field = Attestation._meta.get_field("alerted_at")
    moment, since = (field.get_db_prep_save(value, connection) for value in (now, now - ALERT_WINDOW))
    return bool(_open_window.rows([moment, attestation.pk, since]))


def _record(attestation: Attestation | None, result: verification.Result, now: dt.datetime,
            alert: bool) -> Verification:
    record = Verification(attestation_id=None if attestation is None else attestation.pk,
                          token_id=result.token_id[:32], status=result.status, checked_at=now, alerted=alert)
    _insert_check.rows([record])
    return record


def check(token: str, *, now: dt.datetime | None = None) -> tuple[verification.Result, Attestation | None]:
    """Answer and record; mark the check ``alerted`` if it is the first of
    its attestation in ``ALERT_WINDOW`` (``announce_due`` then alerts).

    The answer is read before any transaction. A check that alerts nobody
    (a forged token, or a window still open) is a single insert; one that
    opens the window is a conditional update and the insert, in one short
    transaction."""
    now = now or timezone.now()
    result, attestation = answer(token, now)
    if attestation is None or _window_open(attestation, now):
        _record(attestation, result, now, alert=False)
        return result, attestation
    with transaction.atomic():
        alert = _claim_alert(attestation, now)
        _record(attestation, result, now, alert)
    return result, attestation


def announce_due(*, batch: int = ANNOUNCE_BATCH, batches: int = 40) -> int:
    """Write the alerts of the checks that opened a window and have not been
    announced yet; return how many were announced. Run by the worker every
    5 seconds (the enrolment notices' job mails what this writes for the
    organisation's contact within 30 more), so alerts leave well within the
    5 minutes promised; ``batches`` of ``batch`` a pass is 2,000 a pass, more
    than any wave of raids checks certificates.

    Every worker runs it: each check is claimed with a conditional update in
    the transaction that writes its alerts, so of two workers one announces
    it and the other skips it. Nothing pending (the usual case) costs one
    read through a small partial index and no write."""
    announced = 0
    for _batch in range(batches):
        due = list(Verification.objects.filter(alerted=True, announced_at__isnull=True)
                   .select_related("attestation__organisation").order_by("pk")[:batch])
        if not due:
            break
        with transaction.atomic():
            announced += sum(_announce(record) for record in due)
        if len(due) < batch:
            break
    return announced


def _announce(record: Verification) -> bool:
    """The issuer's alert through the outbox, then ``attestation_checked`` in
    a savepoint: a receiver's bug loses its own writes, never the issuer's
    alert. The caller holds the transaction."""
    if not Verification.objects.filter(pk=record.pk, announced_at__isnull=True).update(
            announced_at=timezone.now()):
        return False  # another worker announced it
    attestation = record.attestation
    assert attestation is not None  # noqa: S101 -- only checks of an attestation alert
    if attestation.issued_by_id is not None:
        users = get_user_model().objects.filter(pk=attestation.issued_by_id, is_active=True)
        outbox.announce(outbox.Announcement(
            event="attestation.checked",
            title=_("An attestation you issued was just checked (%(status)s)")
            % {"status": Verification.Status(record.status).label},
            reference=attestation.organisation.ref,
            fields={"country": attestation.organisation.country},
        ), users=users)
    try:
        with transaction.atomic():
            attestation_checked.send(sender=Attestation, organisation=attestation.organisation,
                                     attestation=attestation, verification=record, alert=True)
    except Exception:
        log.exception("a receiver of attestation_checked failed; the issuer's alert was still written")
    return True
