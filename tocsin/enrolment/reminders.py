"""Reminders that coverage is ending: 90, 30 and 7 days before an
attestation's last valid day, each once, to the reviewers (through their
alert channels) and to the organisation's contact (``notices``).

Run by the worker (``send_due_reminders``). Idempotent: a reminder is
recorded in the same transaction as its alerts, under a unique constraint on
(attestation, threshold), so a second run -- or a second worker -- sends
nothing again. An attestation first seen inside a threshold (issued with 20
days left, or a worker that was down) gets one reminder, the one for the
nearest threshold; the wider ones are recorded as passed, not sent late."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.alerts import outbox
from tocsin.attestations.models import Attestation

from . import notices
from .access import reviewers
from .models import Reminder

THRESHOLDS = (90, 30, 7)


def _due(today: dt.date) -> list[tuple[Attestation, int, list[int]]]:
    """(attestation, days left, thresholds reached and not yet recorded)."""
    horizon = today + dt.timedelta(days=max(THRESHOLDS))
    found = []
    candidates = Attestation.objects.filter(
        revoked_at__isnull=True, valid_until__gte=today, valid_until__lte=horizon
    ).select_related("organisation")
    for attestation in candidates:
        # A newer certificate of the same organisation outlasting this one: no reminder.
        if Attestation.objects.filter(
            organisation_id=attestation.organisation_id,
            revoked_at__isnull=True,
            valid_until__gt=attestation.valid_until,
        ).exists():
            continue
        left = (attestation.valid_until - today).days
        recorded = set(
            Reminder.objects.filter(token_id=attestation.token_id).values_list("days_before", flat=True)
        )
        reached = [days for days in THRESHOLDS if left <= days and days not in recorded]
        if reached:
            found.append((attestation, left, reached))
    return found


def _remind(attestation: Attestation, left: int, reached: list[int], now: dt.datetime) -> None:
    organisation = attestation.organisation
    Reminder.objects.bulk_create(
        Reminder(token_id=attestation.token_id, days_before=days, sent_at=now) for days in reached
    )
    nearest = min(reached)
    until = attestation.valid_until.isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Coverage of organisation %(ref)s ends in %(days)d day (%(until)s)",
            "Coverage of organisation %(ref)s ends in %(days)d days (%(until)s)",
            left,
        ) % {"ref": organisation.ref, "days": left, "until": until}
    outbox.announce(
        outbox.Announcement(
            notices.COVERAGE_ENDING,
            title,
            "",
            {
                "organisation": organisation.ref,
                "country": organisation.country,
                "threshold": str(nearest),
                "link": f"{settings.BASE_URL}/staff/enrolment/organisations/{organisation.ref}/",
            },
        ),
        users=reviewers(),
    )
    if bytes(organisation.sealed_contacts or b""):
        with translation.override(notices.language_of(organisation)):
            notices.write(
                organisation,
                notices.COVERAGE_ENDING,
                _("Your Tocsin coverage ends on %(until)s") % {"until": until},
                _(
                    "The certificate of %(name)s is valid until %(until)s. To stay covered, apply "
                    "again at %(link)s before then."
                )
                % {"name": organisation.name, "until": until, "link": f"{settings.BASE_URL}/enrol/"},
            )


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Send every reminder due by ``now``; return how many attestations were reminded."""
    moment = timezone.now() if now is None else now
    today = moment.astimezone(dt.UTC).date()
    sent = 0
    for attestation, left, reached in _due(today):
        try:
            with transaction.atomic():
                _remind(attestation, left, reached, moment)
        except IntegrityError:
            continue  # another worker recorded it first
        sent += 1
    return sent
