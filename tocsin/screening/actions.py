
"""Answering a screening: decide, record, and for ``protected`` open a case and alert.

A ``protected`` answer means an enforcement step was about to reach a
protected group. The paperwork becomes a case, routed like a report to the
team for the organisation's country (``intake.actions.submit_report``: the
paperwork is encrypted to that team's responders, nobody else can read it),
and the routed team and the company's headquarters team are alerted through
the outbox -- with the reference, the country and a link only, never the
organisation, the authority or the names on the paperwork."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import Team
from tocsin.alerts import outbox
from tocsin.audit import log as audit
from tocsin.cases.models import ActType, Case, DatePrecision, PerpetratorType
from tocsin.intake import actions as intake
from tocsin.intake.forms import ReportInput
from tocsin.intake.routing import NoResponders
from tocsin.tokens.models import ApiToken

from . import matching
from .models import Screening

SCREENING_PROTECTED = "screening.protected"


def new_public_id() -> str:
    """``SC-XXXX-XXXX``: read out on the phone like a case reference, and short
    enough to be an alert's reference when no case could be opened."""
    body = "".join(secrets.choice(intake.REFERENCE_ALPHABET) for _ in range(8))
    return f"SC-{body[:4]}-{body[4:]}"


@dataclass(frozen=True)
class ScreeningQuery:
    """A validated query (see ``api``). Everything but the identifiers is
    paperwork about a possibly protected group: never logged, never stored
    outside a case's sealed content."""

    name: str
    identifiers: dict[str, str] = field(default_factory=dict)
    address: str = ""
    authority: str = ""
    legal_basis: str = ""
    case_reference: str = ""


@dataclass(frozen=True)
class Answer:
    screening: Screening
    result: matching.Result


def _narrative(query: ScreeningQuery, public_id: str, result: matching.Result) -> str:
    lines = [
        _("An enforcement step was screened (%(id)s) and concerns a protected organisation.")
        % {"id": public_id},
        "",
        _("Name on the paperwork: %(value)s") % {"value": query.name},
    ]
    for scheme, value in sorted(query.identifiers.items()):
        lines.append(f"{scheme.upper()}: {value}")
    for label, value in ((_("Address"), query.address), (_("Authority"), query.authority),
                         (_("Legal basis"), query.legal_basis),
                         (_("Their case reference"), query.case_reference)):
        if value:
            lines.append(f"{label}: {value}")
    lines.append("")
    for match in result.matches:
        organisation = match.organisation
        lines.append(f"{organisation.ref} «{organisation.name}» ({organisation.status}), "
                     f"{match.score:g}: {'; '.join(match.reasons)}")
    return "\n".join(lines)


def _open_case(query: ScreeningQuery, public_id: str, result: matching.Result) -> Case | None:
    """The case for a protected answer, or None when no team can read one yet
    (the headquarters alert still goes out)."""
    organisation = result.matches[0].organisation
    report = ReportInput(
        act_types=[ActType.OTHER], occurred_on=timezone.localdate().isoformat(),
        occurred_precision=DatePrecision.DAY, country=organisation.country,
        narrative=_narrative(query, public_id, result), language=settings.LANGUAGE_CODE,
        perpetrator_type=PerpetratorType.COMPANY_LAWYER, organisation=organisation.name,
    )
    try:
        return intake.submit_report(report).case
    except NoResponders:
        return None


def _alert(case: Case | None, public_id: str, country: str) -> None:
    teams = list(Team.objects.filter(name=Team.HEADQUARTERS))
    if case is not None:
        teams.insert(0, case.team)
    reference = case.reference if case is not None else public_id
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Screening: protected organisation (%(reference)s, %(country)s). "
                  "The enforcement step must stop.") % {"reference": reference, "country": country}
    fields = {"country": country, "screening": public_id}
    if case is not None:
        fields["link"] = outbox.case_link(case.reference)
    outbox.announce(outbox.Announcement(SCREENING_PROTECTED, title, reference, fields), teams=teams)


def screen(query: ScreeningQuery, *, token: ApiToken) -> Answer:
    """Decide, and record the decision; a protected answer also opens a case
    and alerts, all in one transaction (the alerts go out on commit)."""
    result = matching.match(query.name, query.identifiers)
    public_id = new_public_id()
    matches = [{"ref": m.organisation.ref, "score": m.score, "reasons": m.reasons}
               for m in result.matches]
    with transaction.atomic():
        case = None
        if result.decision == matching.PROTECTED:
            case = _open_case(query, public_id, result)
            country = result.matches[0].organisation.country
            _alert(case, public_id, country)
            audit.record("screening.protected", target=public_id, token=token.prefix,
                         case=case.reference if case else "",
                         organisations=[m["ref"] for m in matches])
        screening = Screening.objects.create(
            public_id=public_id, token=token, decision=result.decision, matches=matches,
            case_reference=case.reference if case else "", at=timezone.now(),
        )
    return Answer(screening, result)
