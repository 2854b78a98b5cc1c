"""Issuing and revoking attestations; rotating and revoking signing keys.

Each is one transaction with its audit entry inside it. The management
commands run them as the operator, with ``acting_user=None``: the audit
entry then has no actor, and its action name plus the shell's own log say
who ran it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.audit import log as audit
from tocsin.registry.eligibility import current_rules
from tocsin.registry.models import Organisation

from . import keys, payload, verification
from .errors import Refused
from .models import Attestation, SigningKey


def signing_key(acting_user: Any) -> SigningKey:
    key = keys.current_key()
    if key is None:
        key = keys.create_key()
        audit.record("attestation.key_created", actor=acting_user, target=key.key_id)
    return key


@transaction.atomic
def issue_attestation(organisation: Organisation, *, acting_user: Any,
                      valid_until: dt.date | None = None) -> Attestation:
    """Sign an attestation for ``organisation``, valid from today until
    ``valid_until`` (by default the current rule set's last covered day),
    and mark the organisation attested.

    Earlier attestations stay valid until they expire or are revoked: a
    certificate on an office wall must not fail because a new one was issued."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    rules = current_rules()
    now = timezone.now()
    valid_from = now.astimezone(dt.UTC).date()
    until = valid_until or rules.valid_until
    if until < valid_from:
        raise Refused("valid_until", _("The attestation would end on %(until)s, before it begins; the rule "
                                       "set %(version)s covers up to %(end)s. Give a later end date or "
                                       "extend the coverage.")
                      % {"until": until.isoformat(), "version": rules.version,
                         "end": rules.valid_until.isoformat()})
    key = signing_key(acting_user)
    token_id = payload.new_token_id()
    content = payload.build(locked, token_id=token_id, key_id=key.key_id, valid_from=valid_from,
                            valid_until=until, rules_version=rules.version, issued_at=now)
    token = verification.sign(keys.signer(key), key.key_id, content)
    attestation = Attestation.objects.create(
        token_id=token_id, organisation=locked, key=key, token=token, payload=content,
        valid_from=valid_from, valid_until=until, rules_version=rules.version,
        issued_by=acting_user if getattr(acting_user, "pk", None) else None, issued_at=now,
    )
    locked.status = Organisation.Status.ATTESTED
    locked.save(update_fields=["status", "updated_at"])
    audit.record("attestation.issued", actor=acting_user, target=locked.ref, token_id=token_id,
                 key_id=key.key_id, valid_until=until.isoformat(), rules=rules.version)
    organisation.status = locked.status
    return attestation


@transaction.atomic
def revoke_attestation(attestation: Attestation, *, acting_user: Any, reason: str) -> Attestation:
    """Revoke ``attestation``: every check answers ``revoked`` from now on, and
    the signed revocation list names it. The organisation falls back to
    enrolled unless another attestation of it is still in force."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason", _("Say why the attestation is revoked."))
    locked = Attestation.objects.select_for_update().get(pk=attestation.pk)
    if locked.revoked_at is not None:
        raise Refused("token_id", _("This attestation was already revoked."), status=409)
    locked.revoked_at, locked.revoked_reason = timezone.now(), reason[:2000]
    locked.save(update_fields=["revoked_at", "revoked_reason"])
    organisation = locked.organisation
    others = Attestation.objects.filter(organisation=organisation, revoked_at__isnull=True,
                                        key__revoked_at__isnull=True,
                                        valid_until__gte=timezone.now().date())
    if organisation.status == Organisation.Status.ATTESTED and not others.exists():
        organisation.status = Organisation.Status.ENROLLED
        organisation.save(update_fields=["status", "updated_at"])
    audit.record("attestation.revoked", actor=acting_user, target=organisation.ref,
                 token_id=locked.token_id, reason=locked.revoked_reason)
    attestation.revoked_at, attestation.revoked_reason = locked.revoked_at, locked.revoked_reason
    return locked


@transaction.atomic
def rotate_key(*, acting_user: Any) -> SigningKey:
    """A new signing key; the old one signs no more but still verifies what it signed."""
    previous = keys.current_key()
    key = keys.create_key()
    audit.record("attestation.key_rotated", actor=acting_user, target=key.key_id,
                 retired=previous.key_id if previous else None)
    return key


@transaction.atomic
def revoke_key(key_id: str, *, acting_user: Any, reason: str) -> SigningKey:
    """Declare a key compromised: every token it signed answers ``revoked``.
    If it was the current key, the next issue makes a new one."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason", _("Say why the key is revoked."))
    key = SigningKey.objects.select_for_update().filter(key_id=key_id.strip().lower()).first()
    if key is None:
        raise Refused("key_id", _("There is no signing key %(key)s.") % {"key": key_id[:32]}, status=404)
    if key.revoked_at is not None:
        raise Refused("key_id", _("Key %(key)s was already revoked.") % {"key": key.key_id}, status=409)
    key.revoked_at, key.revoked_reason = timezone.now(), reason[:2000]
    key.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record("attestation.key_revoked", actor=acting_user, target=key.key_id,
                 reason=key.revoked_reason,
                 attestations=Attestation.objects.filter(key=key, revoked_at__isnull=True).count())
    return key
