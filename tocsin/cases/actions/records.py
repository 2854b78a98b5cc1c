"""Interventions and referrals: what responders did, and to whom they handed the case.

Notes are encrypted under the case key and bound to the record's own public
id, so a note cannot be moved to another record or case unnoticed."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.audit import log as audit
from tocsin.crypto import boxes

from .. import signals
from ..errors import Refused
from ..models import Case, DatePrecision, Intervention, Referral


def _public_id() -> str:
    return secrets.token_hex(8)


def seizure_date(case: Case) -> dt.date | None:
    """The day equipment was taken, if the report gives it exactly."""
    if case.occurred_precision != DatePrecision.DAY:
        return None
    return dt.date.fromisoformat(case.occurred_on)


@transaction.atomic
def record_intervention(case: Case, case_key: bytes, *, kind: str, happened_on: dt.date, note: str = "",
                        seized_on: dt.date | None = None, acting_user: Any,
                        now: dt.datetime | None = None) -> Intervention:
    """Record what was done. Equipment returned needs the day it was taken, to
    count the days it was held: ``seized_on``, or else the report's date when
    that is exact to the day. Raises ``Refused`` naming the field otherwise."""
    if kind not in Intervention.Kind.values:
        raise Refused("kind", _("Unknown kind of intervention."))
    if kind == Intervention.Kind.EQUIPMENT_RETURNED:
        seized_on = seized_on or seizure_date(case)
        if seized_on is None:
            raise Refused("seized_on", _("The report dates the incident only to %(date)s. Enter the "
                                         "day the equipment was taken.") % {"date": case.occurred_on})
        if happened_on < seized_on:
            raise Refused("happened_on", _("The equipment cannot come back before it was taken "
                                           "(%(date)s).") % {"date": seized_on.isoformat()})
    elif seized_on is not None:
        raise Refused("seized_on", _("Only equipment returned has a day it was taken."))
    public_id = _public_id()
    intervention = Intervention.objects.create(
        case=case, public_id=public_id, kind=kind, happened_on=happened_on, seized_on=seized_on,
        recorded_at=now or timezone.now(), recorded_by=acting_user,
        sealed_note=boxes.encrypt_json(case_key, note, bound_to=public_id),
    )
    audit.record("intervention.recorded", actor=acting_user, target=case.reference,
                 intervention=public_id, kind=kind)
    return intervention


@transaction.atomic
def refer(case: Case, case_key: bytes, *, partner: str, follow_up_on: dt.date, note: str = "",
          acting_user: Any, now: dt.datetime | None = None) -> Referral:
    """Refer the case to a partner, to be followed up on ``follow_up_on``.

    Sends ``referral_created`` inside the transaction: the reminder timer
    commits with the referral or not at all."""
    partner = partner.strip()
    if not partner:
        raise Refused("partner", _("Name the partner organisation the case is referred to."))
    public_id = _public_id()
    referral = Referral.objects.create(
        case=case, public_id=public_id, partner=partner, follow_up_on=follow_up_on,
        created_at=now or timezone.now(), created_by=acting_user,
        sealed_note=boxes.encrypt_json(case_key, note, bound_to=public_id),
    )
    audit.record("referral.created", actor=acting_user, target=case.reference, referral=public_id)
    signals.referral_created.send(sender=Referral, referral=referral)
    return referral


@transaction.atomic
def close_referral(case: Case, public_id: str, *, acting_user: Any,
                   now: dt.datetime | None = None) -> Referral:
    """Mark the referral followed up; its reminder stops. ``Refused`` if it already was,
    e.g. when two responders press the button at once."""
    referral = Referral.objects.select_for_update().filter(case=case, public_id=public_id).first()
    if referral is None:
        raise Refused("referral", _("This case has no such referral."), status=404)
    if referral.followed_up_at is not None:
        raise Refused("referral", _("This referral was already followed up on %(when)s.")
                      % {"when": f"{referral.followed_up_at:%Y-%m-%d %H:%M} UTC"})
    referral.followed_up_at = now or timezone.now()
    referral.followed_up_by = acting_user
    referral.save(update_fields=["followed_up_at", "followed_up_by"])
    audit.record("referral.followed_up", actor=acting_user, target=case.reference, referral=public_id)
    signals.referral_closed.send(sender=Referral, referral=referral)
    return referral
