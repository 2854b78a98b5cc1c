"""Telling an enrolled organisation, at its own contact, that its certificate
was checked or that its coverage is ending.

The contact is neither a team nor a user, so it has no alert channel of the
outbox; a notice is a row of its own, written in the event's transaction and
mailed by the worker (``deliver_pending``) through the site's sender, an
Apprise ``mailto://`` URL in ``settings.ENROLMENT_MAIL_URL`` with the
organisation's address added as ``to=``. The address is read from the sealed
contact only at that moment and never copied into a row, an alert or a log.

A contact that is a phone or Signal number cannot be mailed, and no site
sender may be configured: then the notice is marked ``unsendable`` and the
reviewers are alerted instead, so a person calls the group. What a notice
says is fixed text with the time and the answer, nothing the group did not
already know."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tocsin.alerts import outbox, transport
from tocsin.registry.models import Organisation

from . import sealing
from .access import reviewers
from .models import Application, ContactNotice

log = logging.getLogger("tocsin.enrolment")

CERTIFICATE_CHECKED = "enrolment.certificate_checked"
COVERAGE_ENDING = "enrolment.coverage_ending"
CONTACT_UNREACHABLE = "enrolment.contact_unreachable"
MAX_ATTEMPTS = 8


def language_of(organisation: Organisation) -> str:
    """The language the organisation applied in: it reads its notices in it."""
    latest = (
        Application.objects.filter(organisation=organisation, status=Application.Status.APPROVED)
        .order_by("-decided_at")
        .values_list("language", flat=True)
        .first()
    )
    return latest or settings.LANGUAGE_CODE


def write(organisation: Organisation, event: str, title: str, body: str) -> ContactNotice:
    now = timezone.now()
    return ContactNotice.objects.create(
        organisation=organisation,
        event=event,
        title=title[:300],
        body=body,
        created_at=now,
        next_attempt_at=now,
    )


def on_attestation_checked(
    sender: Any,
    organisation: Organisation,
    attestation: Any,
    verification: Any,
    alert: bool = False,
    **kwargs: Any,
) -> None:
    """The receiver of ``attestations.signals.attestation_checked``: a check may
    be the first sign of a raid, so the group hears of it at once (at most once
    per alert window). Never raises: that would roll the check back."""
    if not alert or not bytes(organisation.sealed_contacts or b""):
        return
    try:
        with transaction.atomic(), translation.override(language_of(organisation)):
            checked_at = verification.checked_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
            write(
                organisation,
                CERTIFICATE_CHECKED,
                _("Your Tocsin certificate was just checked"),
                _(
                    "Someone checked the certificate of %(name)s at %(time)s UTC; "
                    "the answer was “%(status)s”. If you did not expect a check, this may be "
                    "the start of an inspection or a raid: contact your lawyer or the Tocsin responders now."
                )
                % {"name": organisation.name, "time": checked_at,
                   "status": verification.get_status_display()},
            )
    except Exception:
        log.exception("could not write the certificate-checked notice of %s", organisation.ref)


def _mail_url(address: str) -> str:
    base = str(getattr(settings, "ENROLMENT_MAIL_URL", "") or "")
    if not base:
        return ""
    from urllib.parse import quote

    return f"{base}{'&' if '?' in base else '?'}to={quote(address, safe='@')}"


def _unreachable(notice: ContactNotice, why: str) -> None:
    with transaction.atomic():
        ContactNotice.objects.filter(pk=notice.pk).update(
            status=ContactNotice.Status.UNSENDABLE, last_error=why[:300]
        )
        with translation.override(settings.LANGUAGE_CODE):
            what = {CERTIFICATE_CHECKED: _("its certificate was just checked"),
                    COVERAGE_ENDING: _("its coverage ends soon")}.get(notice.event, notice.event)
            title = _("Tell organisation %(ref)s by phone or Signal: %(what)s") % {
                "ref": notice.organisation.ref,
                "what": what,
            }
        outbox.announce(
            outbox.Announcement(
                CONTACT_UNREACHABLE,
                title,
                "",
                {
                    "organisation": notice.organisation.ref,
                    "country": notice.organisation.country,
                    "link": f"{settings.BASE_URL}/staff/enrolment/organisations/{notice.organisation.ref}/",
                },
            ),
            users=reviewers(),
        )


def deliver_pending(now: dt.datetime | None = None, *, limit: int = 50) -> int:
    """Mail the notices that are due; return how many were sent. Run by the worker.

    Every worker runs it, so each notice is first claimed with a conditional
    update that pushes it out by the alert lease: of two workers, one wins
    and the other skips it. A worker that dies after claiming leaves the
    notice due again when the lease ends (then it may be mailed twice, never
    lost)."""
    moment = timezone.now() if now is None else now
    sent = 0
    due = (
        ContactNotice.objects.filter(status=ContactNotice.Status.PENDING, next_attempt_at__lte=moment)
        .select_related("organisation")
        .order_by("next_attempt_at", "pk")[:limit]
    )
    for notice in list(due):
        claimed = ContactNotice.objects.filter(
            pk=notice.pk, status=ContactNotice.Status.PENDING, next_attempt_at=notice.next_attempt_at
        ).update(next_attempt_at=moment + outbox.lease())
        if not claimed:
            continue
        contact = sealing.organisation_contact(notice.organisation)
        if contact is None or contact.get("kind") != "email":
            _unreachable(notice, "the contact is not an email address")
            continue
        url = _mail_url(contact["value"])
        if not url:
            _unreachable(notice, "no site sender is configured (ENROLMENT_MAIL_URL)")
            continue
        message = transport.Message(
            title=notice.title, body=notice.body, idempotency_key=f"notice-{notice.pk}", fields={}
        )
        try:
            transport.send(
                url,
                message,
                allow_private=bool(getattr(settings, "ENROLMENT_MAIL_ALLOW_PRIVATE", False)),
                timeout=outbox.SEND_TIMEOUT,
            )
        except Exception as exc:
            attempts = notice.attempts + 1
            dead = isinstance(exc, transport.Undeliverable) or attempts >= MAX_ATTEMPTS
            # The error says which server refused; the address is not in it.
            ContactNotice.objects.filter(pk=notice.pk).update(
                attempts=attempts,
                last_error=f"{type(exc).__name__}"[:300],
                status=ContactNotice.Status.DEAD if dead else ContactNotice.Status.PENDING,
                next_attempt_at=moment + outbox.backoff(attempts),
            )
            if dead:
                _unreachable(notice, f"mail failed: {type(exc).__name__}")
            continue
        ContactNotice.objects.filter(pk=notice.pk).update(
            status=ContactNotice.Status.SENT, sent_at=moment, attempts=notice.attempts + 1
        )
        sent += 1
    return sent
