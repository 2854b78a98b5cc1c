"""Every change to a demand: atomic, audited, alerts written in the same transaction.

The rule the register exists for: a demand that touches civil society (a
linked registry organisation or case, or the flag) needs headquarters'
approval on record before anyone records a response, and before it closes.
An approval covers the demand as it stood: changing its type or scope,
flagging it, or linking another organisation or case afterwards voids the
approval, and headquarters must approve again. Only headquarters can lift
what makes approval necessary (unlink, unflag), so local counsel cannot
unlink a group, respond, and link it back.

Audit entries name fields and plain values, never the sealed text."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import Team, User
from tocsin.alerts import outbox
from tocsin.audit import log as audit
from tocsin.cases.access import access_case
from tocsin.cases.errors import Refused
from tocsin.intake.forms import latest_today
from tocsin.registry.models import Organisation

from . import sealing
from .access import is_headquarters, teams_of
from .models import Demand

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
APPROVAL_REQUESTED = "demand.approval_requested"
APPROVED = "demand.approved"


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"GD-{body[:4]}-{body[4:]}"


def demand_link(reference: str) -> str:
    return f"{settings.BASE_URL}/staff/demands/{reference}/"


def _locked(demand: Demand) -> Demand:
    """The demand's row, locked for this transaction; refused if it is closed."""
    locked = Demand.objects.select_for_update().select_related("team").get(pk=demand.pk)
    if not locked.is_open:
        raise Refused("status", _("This demand is closed; it can no longer change."), status=409)
    return locked


def _check_dates(received_on: datetime.date, due_on: datetime.date | None) -> None:
    if received_on > latest_today():
        raise Refused("received_on", _("The date received cannot be in the future."))
    if due_on is not None and due_on < received_on:
        raise Refused("due_on", _("The deadline cannot be before the demand was received."))


def _void_approval(demand: Demand, why: str, acting_user: Any) -> list[str]:
    if demand.approved_at is None:
        return []
    demand.approved_at, demand.approved_by = None, None
    audit.record("demand.approval_voided", actor=acting_user, target=demand.reference, because=why)
    return ["approved_at", "approved_by"]


@transaction.atomic
def record_demand(*, team: Team, country: str, agency: str, delivery: str, type: str,
                  received_on: datetime.date, due_on: datetime.date | None = None, legal_basis: str = "",
                  official: str = "", scope: str = "", flagged: bool = False, acting_user: User) -> Demand:
    """Input already valid (``forms.DemandForm``); refused if ``acting_user``
    may not record for ``team`` or the dates are impossible."""
    if not teams_of(acting_user).filter(pk=team.pk).exists():
        raise Refused("team", _("You can record demands only for your own team."), status=403)
    _check_dates(received_on, due_on)
    reference = new_reference()
    demand = Demand.objects.create(
        reference=reference, team=team, country=country, agency=agency, delivery=delivery, type=type,
        received_on=received_on, due_on=due_on, legal_basis=legal_basis, flagged=flagged,
        sealed=sealing.seal(sealing.Details(official=official, scope=scope), reference),
        recorded_by=acting_user,
    )
    audit.record("demand.recorded", actor=acting_user, target=reference, team=team.name, country=country,
                 agency=agency, type=type, delivery=delivery, flagged=flagged)
    return demand


@transaction.atomic
def update_demand(demand: Demand, *, agency: str, legal_basis: str, delivery: str, type: str,
                  received_on: datetime.date, due_on: datetime.date | None, official: str, scope: str,
                  flagged: bool, acting_user: User) -> Demand:
    locked = _locked(demand)
    _check_dates(received_on, due_on)
    if locked.flagged and not flagged and not is_headquarters(acting_user):
        raise Refused("flagged", _("Only headquarters can lift the flag that asks for its approval."),
                      status=403)
    details = sealing.open_details(locked.sealed, locked.reference)
    plain = {"agency": agency, "legal_basis": legal_basis, "delivery": delivery, "type": type,
             "received_on": received_on, "due_on": due_on, "flagged": flagged}
    changed = [name for name, value in plain.items() if getattr(locked, name) != value]
    sealed = {"official": official, "scope": scope}
    changed += [name for name, value in sealed.items() if getattr(details, name) != value]
    if not changed:
        raise Refused("__all__", _("Nothing was changed."))
    for name, value in plain.items():
        setattr(locked, name, value)
    locked.sealed = sealing.seal(replace(details, official=official, scope=scope), locked.reference)
    fields = ["sealed", "updated_at", *plain]
    audit.record("demand.updated", actor=acting_user, target=locked.reference, changed=changed)
    if {"type", "scope"} & set(changed) or (flagged and "flagged" in changed):
        fields += _void_approval(locked, "changed: " + ", ".join(changed), acting_user)
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def link_organisation(demand: Demand, ref: str, *, acting_user: User) -> Organisation:
    locked = _locked(demand)
    organisation = Organisation.objects.filter(ref=ref.strip()).first()
    if organisation is None:
        raise Refused("organisation", _("No organisation in the registry has the reference “%(ref)s”.")
                      % {"ref": ref.strip()[:64]})
    if locked.organisations.filter(pk=organisation.pk).exists():
        raise Refused("organisation", _("%(name)s is already linked.") % {"name": organisation.name})
    locked.organisations.add(organisation)
    audit.record("demand.organisation_linked", actor=acting_user, target=locked.reference,
                 organisation=organisation.ref, kind=organisation.kind)
    voided = _void_approval(locked, f"linked organisation {organisation.ref}", acting_user)
    locked.save(update_fields=["updated_at", *voided])
    return organisation


@transaction.atomic
def unlink_organisation(demand: Demand, ref: str, *, acting_user: User) -> None:
    locked = _locked(demand)
    if not is_headquarters(acting_user):
        raise Refused("organisation", _("Only headquarters can unlink an organisation."), status=403)
    organisation = locked.organisations.filter(ref=ref).first()
    if organisation is None:
        raise Refused("organisation", _("No linked organisation has the reference “%(ref)s”.")
                      % {"ref": ref[:64]})
    locked.organisations.remove(organisation)
    audit.record("demand.organisation_unlinked", actor=acting_user, target=locked.reference,
                 organisation=organisation.ref)
    locked.save(update_fields=["updated_at"])


@transaction.atomic
def link_case(demand: Demand, reference: str, *, acting_user: User) -> None:
    """Link a case the acting responder can open; any other is "not found"
    to them, as everywhere, so linking cannot probe case references."""
    locked = _locked(demand)
    try:
        case = access_case(acting_user, reference.strip())
    except Exception:  # Http404: the same answer for missing and forbidden
        raise Refused("case", _("You have no case with the reference “%(ref)s”.")
                      % {"ref": reference.strip()[:16]}) from None
    if locked.cases.filter(pk=case.pk).exists():
        raise Refused("case", _("Case %(ref)s is already linked.") % {"ref": case.reference})
    locked.cases.add(case)
    audit.record("demand.case_linked", actor=acting_user, target=locked.reference, case=case.reference)
    voided = _void_approval(locked, f"linked case {case.reference}", acting_user)
    locked.save(update_fields=["updated_at", *voided])


def _headquarters() -> Team | None:
    return Team.objects.filter(name=Team.HEADQUARTERS).first()


@transaction.atomic
def request_approval(demand: Demand, *, acting_user: User) -> None:
    locked = _locked(demand)
    if locked.approved:
        raise Refused("approval", _("Headquarters has already approved this demand."), status=409)
    headquarters = _headquarters()
    if headquarters is None:
        raise Refused("approval", _("There is no headquarters team to ask. An administrator must create "
                                    "the team “%(name)s”.") % {"name": Team.HEADQUARTERS}, status=409)
    locked.approval_requested_at, locked.approval_requested_by = timezone.now(), acting_user
    locked.save(update_fields=["approval_requested_at", "approval_requested_by", "updated_at"])
    audit.record("demand.approval_requested", actor=acting_user, target=locked.reference)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Demand %(reference)s from %(country)s needs headquarters' approval") % {
            "reference": locked.reference, "country": locked.country}
    outbox.announce(outbox.Announcement(APPROVAL_REQUESTED, title, locked.reference, {
        "country": locked.country, "link": demand_link(locked.reference)}),
        teams=[headquarters], users=User.objects.filter(memberships__team=headquarters, is_active=True))


@transaction.atomic
def approve(demand: Demand, *, note: str = "", acting_user: User) -> None:
    """Headquarters' approval, by any member of the team named ``headquarters``."""
    if not is_headquarters(acting_user):
        raise Refused("approval", _("Only a member of the headquarters team can approve."), status=403)
    locked = _locked(demand)
    if locked.approved:
        raise Refused("approval", _("Headquarters has already approved this demand."), status=409)
    locked.approved_at, locked.approved_by = timezone.now(), acting_user
    details = sealing.open_details(locked.sealed, locked.reference)
    locked.sealed = sealing.seal(replace(details, approval_note=note), locked.reference)
    locked.save(update_fields=["approved_at", "approved_by", "sealed", "updated_at"])
    audit.record("demand.approved", actor=acting_user, target=locked.reference)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Headquarters approved the response to demand %(reference)s") % {
            "reference": locked.reference}
    outbox.announce(outbox.Announcement(APPROVED, title, locked.reference, {
        "country": locked.country, "link": demand_link(locked.reference)}), teams=[locked.team])


def _check_approval(demand: Demand, field: str, refusal: str) -> None:
    if demand.touches_civil_society() and not demand.approved:
        raise Refused(field, refusal, status=409)


@transaction.atomic
def respond(demand: Demand, *, outcome: str, responded_on: datetime.date, response: str = "",
            acting_user: User) -> None:
    """Record how the company answered. May be recorded again while the demand
    is open (complied in part, then challenged): each time audited."""
    locked = _locked(demand)
    if outcome not in Demand.Outcome.values:
        raise Refused("outcome", _("Choose an outcome."))
    if responded_on < locked.received_on or responded_on > latest_today():
        raise Refused("responded_on", _("The response date must be between the day the demand was "
                                        "received and today."))
    _check_approval(locked, "outcome", _("This demand touches a civil-society group: headquarters must "
                                         "approve before you record a response. Ask for approval first."))
    details = sealing.open_details(locked.sealed, locked.reference)
    locked.outcome, locked.responded_on, locked.responded_by = outcome, responded_on, acting_user
    locked.sealed = sealing.seal(replace(details, response=response), locked.reference)
    locked.save(update_fields=["outcome", "responded_on", "responded_by", "sealed", "updated_at"])
    audit.record("demand.responded", actor=acting_user, target=locked.reference, outcome=outcome,
                 responded_on=responded_on.isoformat())


@transaction.atomic
def close(demand: Demand, *, acting_user: User) -> None:
    locked = _locked(demand)
    if not locked.legal_basis.strip():
        raise Refused("legal_basis", _("Record the legal basis the agency gave before closing. If it gave "
                                       "none, write that."), status=409)
    if not locked.outcome:
        raise Refused("outcome", _("Record the response and its outcome before closing."), status=409)
    _check_approval(locked, "approval", _("This demand touches a civil-society group: headquarters must "
                                          "approve before you close it. Ask for approval first."))
    locked.status, locked.closed_at = Demand.Status.CLOSED, timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record("demand.closed", actor=acting_user, target=locked.reference, outcome=locked.outcome)


@transaction.atomic
def open_demand(demand: Demand, *, acting_user: User) -> sealing.Details:
    """The sealed details, for showing; every read is audited, as for cases."""
    audit.record("demand.read", actor=acting_user, target=demand.reference)
    return sealing.open_details(demand.sealed, demand.reference)
