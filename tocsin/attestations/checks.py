"""Checking a token online: the answer, a record of the check, and the alerts.

Every check is recorded (the token id, the answer, the time: never who
asked). The first check of an attestation in a 5-minute window alerts the
issuer at once (through the outbox, in the same transaction, so the worker
delivers it within seconds) and, through ``signals.attestation_checked``,
the organisation's enrolled contact; later checks in the window are recorded
but alert nobody, so a verifier reloading the page does not flood anyone."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.alerts import outbox

from . import keys, lookup, verification
from .models import Attestation, Verification
from .signals import attestation_checked

log = logging.getLogger("tocsin.attestations")

ALERT_WINDOW = dt.timedelta(minutes=5)


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


def answer(token: str, now: dt.datetime) -> tuple[verification.Result, Attestation | None]:
    """The verdict on ``token`` from the database's keys and revocations.

    The common case, a token we issued, costs one query: the attestation
    with its key and organisation. Anything else (forged, unknown key, a
    token id we never issued) reads the key table to tell which it is."""
    claimed = _claimed_token_id(token)
    attestation = None
    if claimed is not None:
        attestation = lookup.attestation_by_token_id(claimed)
    if attestation is not None:
        key = attestation.key
        known = {key.key_id: keys.as_verifier_key(key.key_id, bytes(key.public_key), key.revoked_at)}
        revoked = (frozenset({attestation.token_id}) if attestation.revoked_at is not None
                   else frozenset[str]())
        result = verification.verify_token(token, known, verification.Revocations(token_ids=revoked), now)
        if result.token_id == attestation.token_id and attestation.token == token.strip():
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


def _claim_alert(attestation: Attestation, now: dt.datetime) -> bool:
    """One conditional update opens the window, so two verifiers at the same
    moment cannot both alert (the row lock orders them)."""
    return bool(Attestation.objects.filter(pk=attestation.pk)
                .filter(Q(alerted_at__isnull=True) | Q(alerted_at__lte=now - ALERT_WINDOW))
                .update(alerted_at=now))


def _record(attestation: Attestation | None, result: verification.Result, now: dt.datetime,
            alert: bool) -> Verification:
    return Verification.objects.create(attestation=attestation, token_id=result.token_id[:32],
                                       status=result.status, checked_at=now, alerted=alert)


def check(token: str, *, now: dt.datetime | None = None) -> tuple[verification.Result, Attestation | None]:
    """Answer, record, and alert (at most once per attestation per window).

    The answer is read before any transaction. A check that alerts nobody
    (a forged token, or a window still open) is a single insert; one that
    alerts writes the window, the record, the issuer's alert and whatever
    the signal's receivers write in one transaction. Busy verification is
    the common case, so it costs two statements: the read and the insert."""
    now = now or timezone.now()
    result, attestation = answer(token, now)
    if attestation is None:
        _record(None, result, now, alert=False)
        return result, None
    if _window_open(attestation, now):
        record = _record(attestation, result, now, alert=False)
        _announce(attestation, record, alert=False)
        return result, attestation
    with transaction.atomic():
        alert = _claim_alert(attestation, now)
        record = _record(attestation, result, now, alert)
        if alert and attestation.issued_by_id is not None:
            users = get_user_model().objects.filter(pk=attestation.issued_by_id, is_active=True)
            outbox.announce(outbox.Announcement(
                event="attestation.checked",
                title=_("An attestation you issued was just checked (%(status)s)")
                % {"status": Verification.Status(result.status).label},
                reference=attestation.organisation.ref,
                fields={"country": attestation.organisation.country},
            ), users=users)
        _announce(attestation, record, alert)
    return result, attestation


def _announce(attestation: Attestation, record: Verification, alert: bool) -> None:
    """Send ``attestation_checked``. When it alerts, in a savepoint: a
    receiver's bug loses its own writes, never the verifier's answer or the
    record of the check. Receivers write nothing when ``alert`` is False, so
    those sends need no savepoint (and no transaction)."""
    try:
        if alert:
            with transaction.atomic():
                attestation_checked.send(sender=Attestation, organisation=attestation.organisation,
                                         attestation=attestation, verification=record, alert=True)
        else:
            attestation_checked.send(sender=Attestation, organisation=attestation.organisation,
                                     attestation=attestation, verification=record, alert=False)
    except Exception:
        log.exception("a receiver of attestation_checked failed; the check was still recorded")
