"""Adding counsel to the public list and withdrawing their authorisation."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.audit import log as audit
from tocsin.registry.countries import ISO_CODES
from tocsin.server.wording import at_most_characters

from .models import Counsel

LIMITS = {"name": 300, "name_en": 300, "firm": 300, "registration_number": 64}


class Refused(Exception):
    """The input was refused and nothing changed; ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _checked(*, kind: str, name: str, name_en: str, firm: str, country: str, registration_number: str,
             authorised_from: datetime.date, authorised_until: datetime.date | None) -> dict[str, Any]:
    fields = {"name": name.strip(), "name_en": name_en.strip(), "firm": firm.strip(),
              "registration_number": registration_number.strip()}
    if kind not in Counsel.Kind.values:
        raise Refused("kind", _("The kind must be one of: %(kinds)s.")
                      % {"kinds": ", ".join(Counsel.Kind.values)})
    if not fields["name"]:
        raise Refused("name", _("Give the lawyer's or the firm's name."))
    for field, limit in LIMITS.items():
        if len(fields[field]) > limit:
            raise Refused(field, at_most_characters(limit))
    if kind == Counsel.Kind.FIRM and fields["firm"]:
        raise Refused("firm", _("A firm does not belong to a firm; leave this empty for a firm."))
    country = country.strip().upper()
    if country not in ISO_CODES:
        raise Refused("country", _("Give the country as a two-letter ISO code, e.g. RU."))
    if authorised_until is not None and authorised_until < authorised_from:
        raise Refused("authorised_until", _("The authorisation cannot end before it starts."))
    return {**fields, "kind": kind, "country": country, "authorised_from": authorised_from,
            "authorised_until": authorised_until}


@transaction.atomic
def add_counsel(*, kind: str, name: str, country: str, authorised_from: datetime.date,
                authorised_until: datetime.date | None = None, name_en: str = "", firm: str = "",
                registration_number: str = "", acting_user: Any) -> Counsel:
    fields = _checked(kind=kind, name=name, name_en=name_en, firm=firm, country=country,
                      registration_number=registration_number, authorised_from=authorised_from,
                      authorised_until=authorised_until)
    counsel = Counsel.objects.create(**fields)
    audit.record("counsel.added", actor=acting_user, target=f"counsel:{counsel.pk}",
                 kind=counsel.kind, name=counsel.name, country=counsel.country,
                 authorised_from=authorised_from.isoformat(),
                 authorised_until=authorised_until.isoformat() if authorised_until else None)
    return counsel


@transaction.atomic
def withdraw_authorisation(counsel_id: int, *, acting_user: Any, reason: str = "") -> Counsel:
    """Take counsel off the list of those authorised, at once. The entry stays,
    so a search for them answers "withdrawn on …" rather than "never heard of them"."""
    counsel = Counsel.objects.select_for_update().filter(pk=counsel_id).first()
    if counsel is None:
        raise Refused("id", _("No counsel has the number %(id)s.") % {"id": counsel_id})
    if counsel.withdrawn_at is not None:
        raise Refused("id", _("The authorisation of %(name)s was already withdrawn.")
                      % {"name": counsel.name})
    counsel.withdrawn_at = timezone.now()
    counsel.save(update_fields=["withdrawn_at"])
    # The reason stays in the audit log only: the public list says that, not why.
    audit.record("counsel.withdrawn", actor=acting_user, target=f"counsel:{counsel.pk}",
                 name=counsel.name, reason=reason[:500])
    return counsel
