"""Every change of enrolment's state: apply, vouch, approve, reject, update.

Each action runs in one transaction with its audit entry and its alert rows;
files are moved into the store before the transaction and removed again if
it fails (``intake.evidence.moved_in``), so nothing is left half-stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tocsin.alerts import outbox
from tocsin.audit import log as audit
from tocsin.intake import evidence
from tocsin.intake.actions import REFERENCE_ALPHABET
from tocsin.intake.uploads import EncryptedUpload
from tocsin.registry import eligibility
from tocsin.registry.models import Organisation

from . import receipts, sealing
from .access import reviewers
from .errors import Refused
from .models import Application, EvidenceFile

APPLICATION_RECEIVED = "enrolment.application_received"
REQUALIFY = "enrolment.requalify"
# The changes after which coverage must be decided again (issue 4).
REQUALIFYING = ("name", "address", "kind", "government_share")
EDITABLE = frozenset(
    {"name", "name_en", "kind", "address", "government_share", "not_for_profit", "mission", "public_fields"}
)
# Written to the organisation when its application is approved.
ORGANISATION_FIELDS = (
    "kind",
    "name",
    "name_en",
    "country",
    "inn",
    "ogrn",
    "identifiers",
    "government_share",
    "not_for_profit",
    "mission",
    "address",
    "public_fields",
)


@dataclass(frozen=True)
class Submitted:
    application: Application
    receipt: str  # shown to the applicant once, never stored


def new_reference(prefix: str = "EN") -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def application_link(application: Application) -> str:
    return f"{settings.BASE_URL}/staff/enrolment/{application.reference}/"


def _announce(event: str, title: str, reference: str, **fields: str) -> None:
    """Alert the reviewers. Only a reference, a country and a link: the name of a
    group applying for protection is itself sensitive in a chat or a mailbox."""
    outbox.announce(outbox.Announcement(event, title, reference, fields), users=reviewers())


def _find_or_create_organisation(details: dict[str, Any], reference: str) -> Organisation:
    """The registry entry the application is about: by reference, INN or OGRN;
    a new one (status registered) if none matches."""
    for field, value in (
        ("ref", details["organisation_ref"]),
        ("inn", details["inn"]),
        ("ogrn", details["ogrn"]),
    ):
        if value:
            found = Organisation.objects.filter(**{field: value}).first()
            if found is not None:
                return found
    organisation = Organisation(ref=reference, status=Organisation.Status.REGISTERED)
    _apply_details(organisation, details)
    organisation.save(force_insert=True)
    return organisation


def _apply_details(organisation: Organisation, details: dict[str, Any]) -> None:
    for field in ORGANISATION_FIELDS:
        value = details.get(field)
        if field == "government_share" and value is not None:
            value = Decimal(str(value))
        setattr(organisation, field, value if value is not None else "")


def submit_application(
    details: dict[str, Any],
    contact: dict[str, str],
    files: list[tuple[str, EncryptedUpload]],
    *,
    language: str = "en",
) -> Submitted:
    """Store a validated application (``forms.ApplicationForm``) and return its receipt."""
    receipt = receipts.new_receipt()
    reference = new_reference()
    now = timezone.now()
    with evidence.moved_in([upload for _kind, upload in files]) as metas, transaction.atomic():
        organisation = _find_or_create_organisation(details, reference)
        application = Application.objects.create(
            reference=reference,
            organisation=organisation,
            details=details,
            language=language,
            sealed_contact=sealing.seal(contact, bound_to=reference),
            receipt_tag=receipts.lookup_tag(receipt),
            submitted_at=now,
        )
        for (kind, upload), meta in zip(files, metas, strict=True):
            EvidenceFile.objects.create(
                application=application,
                public_id=upload.public_id,
                kind=kind,
                stored_at=now,
                sealed_meta=sealing.seal(meta, bound_to=upload.public_id),
            )
        audit.record("enrolment.applied", target=reference, organisation=organisation.ref, files=len(files))
        with translation.override(settings.LANGUAGE_CODE):
            title = _("New enrolment application %(reference)s (%(country)s)") % {
                "reference": reference,
                "country": details["country"],
            }
        _announce(
            APPLICATION_RECEIVED,
            title,
            reference,
            country=details["country"],
            link=application_link(application),
        )
    return Submitted(application, receipt)


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise Refused("reason", _("Give the reason."))


def _lock_pending(application: Application, reason: str) -> Application:
    _require_reason(reason)
    locked = Application.objects.select_for_update().select_related("organisation").get(pk=application.pk)
    if locked.status != Application.Status.PENDING:
        raise Refused(
            "reason",
            _("This application was already decided (%(status)s).") % {"status": locked.get_status_display()},
            status=409,
        )
    return locked


@transaction.atomic
def vouch(application: Application, *, acting_user: Any, reason: str) -> Application:
    """A trusted partner's word for a group that cannot register safely. It is
    shown to the reviewer and kept with the decision; it decides nothing."""
    locked = _lock_pending(application, reason)
    if locked.vouched_by_id is not None:
        raise Refused(
            "reason",
            _("%(user)s already vouched for this application.") % {"user": locked.vouched_by},
            status=409,
        )
    locked.vouched_by, locked.vouched_at, locked.vouch_reason = acting_user, timezone.now(), reason
    locked.save(update_fields=["vouched_by", "vouched_at", "vouch_reason"])
    audit.record(
        "enrolment.vouched", actor=acting_user, target=locked.reference, organisation=locked.organisation.ref
    )
    return locked


def _decide(application: Application) -> eligibility.Decision:
    return eligibility.evaluate(application.details)


@transaction.atomic
def approve(application: Application, *, acting_user: Any, reason: str) -> Any:
    """Enrol the organisation and issue its attestation; returns the attestation.

    Refused when the rules say the organisation is not covered (their reasons
    are the message), or when there is neither evidence nor a partner's vouch."""
    from tocsin.attestations.actions import issue_attestation

    locked = _lock_pending(application, reason)
    if not (locked.evidence.exists() or locked.details.get("registry_link") or locked.vouched_by_id):
        raise Refused(
            "reason",
            _(
                "There is no evidence and no trusted partner vouched for this group: "
                "ask for evidence or a partner's vouch, or reject it."
            ),
            status=409,
        )
    decision = _decide(locked)
    if not decision.eligible:
        raise Refused(
            "reason",
            _("The eligibility rules (version %(version)s) do not cover it: %(reasons)s")
            % {"version": decision.rule_set_version, "reasons": " ".join(decision.reasons)},
            status=409,
        )
    organisation = Organisation.objects.select_for_update().get(pk=locked.organisation_id)
    _apply_details(organisation, locked.details)
    contact = sealing.open_sealed(bytes(locked.sealed_contact), bound_to=locked.reference)
    organisation.sealed_contacts = sealing.seal_organisation_contact(organisation, contact)
    organisation.status = Organisation.Status.ENROLLED
    organisation.requalify = False
    organisation.save()
    _record_decision(locked, Application.Status.APPROVED, acting_user, reason, decision)
    attestation = issue_attestation(organisation, acting_user=acting_user)
    audit.record(
        "enrolment.approved",
        actor=acting_user,
        target=locked.reference,
        organisation=organisation.ref,
        rule_set_version=decision.rule_set_version,
        vouched=locked.vouched_by_id is not None,
        attestation=attestation.token_id,
    )
    return attestation


@transaction.atomic
def reject(application: Application, *, acting_user: Any, reason: str) -> Application:
    """Refuse with a reason the organisation reads on its status page; it may apply again."""
    locked = _lock_pending(application, reason)
    decision = _decide(locked)
    _record_decision(locked, Application.Status.REJECTED, acting_user, reason, decision)
    audit.record(
        "enrolment.rejected",
        actor=acting_user,
        target=locked.reference,
        organisation=locked.organisation.ref,
        rule_set_version=decision.rule_set_version,
    )
    return locked


def _record_decision(
    application: Application, status: str, acting_user: Any, reason: str, decision: eligibility.Decision
) -> None:
    application.status = status
    application.decided_by, application.decided_at = acting_user, timezone.now()
    application.decision_reason = reason
    application.eligibility = {
        "eligible": decision.eligible,
        "reasons": [str(r) for r in decision.reasons],
        "rule_set_version": decision.rule_set_version,
        "on": decision.on.isoformat(),
    }
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "eligibility"])


@dataclass(frozen=True)
class OpenedApplication:
    application: Application
    contact: dict[str, str]
    evidence: list[tuple[EvidenceFile, dict[str, Any]]]


@transaction.atomic
def open_application(application: Application, *, acting_user: Any) -> OpenedApplication:
    """Decrypt the contact and the evidence list for a reviewer; audited."""
    contact = sealing.open_sealed(bytes(application.sealed_contact), bound_to=application.reference)
    items = [
        (item, sealing.open_sealed(bytes(item.sealed_meta), bound_to=item.public_id))
        for item in application.evidence.order_by("id")
    ]
    audit.record("enrolment.application_opened", actor=acting_user, target=application.reference)
    return OpenedApplication(application, contact, items)


@transaction.atomic
def open_evidence(application: Application, item: EvidenceFile, *, acting_user: Any) -> dict[str, Any]:
    meta: dict[str, Any] = sealing.open_sealed(bytes(item.sealed_meta), bound_to=item.public_id)
    audit.record(
        "enrolment.evidence_opened", actor=acting_user, target=application.reference, file=item.public_id
    )
    return meta


def _same(field: str, current: Any, new: Any) -> bool:
    if field == "government_share":
        return (None if current is None else Decimal(str(current))) == (
            None if new is None else Decimal(str(new))
        )
    if field == "public_fields":
        return sorted(current or []) == sorted(new or [])
    return bool(current == new)


@transaction.atomic
def update_organisation(organisation: Organisation, *, acting_user: Any, **changes: Any) -> list[str]:
    """Change an organisation's details; returns the names of the fields that changed.

    A change of name, address, kind or funding share of an enrolled (or
    attested) organisation sets ``requalify`` and alerts the reviewers: its
    coverage was decided on the old facts. ``acting_user`` is None when the
    organisation itself changes them with its receipt."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise Refused(unknown[0], _("“%(field)s” cannot be changed here.") % {"field": unknown[0]})
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [field for field, value in changes.items() if not _same(field, getattr(locked, field), value)]
    if not changed:
        return []
    for field in changed:
        value = changes[field]
        setattr(
            locked, field, Decimal(str(value)) if field == "government_share" and value is not None else value
        )
    requalify = locked.status != Organisation.Status.REGISTERED and any(
        field in REQUALIFYING for field in changed
    )
    if requalify:
        locked.requalify = True
    locked.save()
    audit.record(
        "organisation.updated",
        actor=acting_user,
        target=locked.ref,
        fields=sorted(changed),
        requalify=requalify,
        by="reviewer" if acting_user is not None else "organisation",
    )
    if requalify:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Organisation %(ref)s changed its details: coverage must be decided again") % {
                "ref": locked.ref
            }
        _announce(
            REQUALIFY,
            title,
            "",
            organisation=locked.ref,
            country=locked.country,
            link=f"{settings.BASE_URL}/staff/enrolment/organisations/{locked.ref}/",
        )
    for field in [*changed, "requalify", "updated_at"]:
        setattr(organisation, field, getattr(locked, field))
    return changed
