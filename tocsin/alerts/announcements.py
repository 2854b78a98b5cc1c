"""The alerts that go out the moment something happens to a case.

A new report reaches the team it was routed to (the team's channels) and the
team's on-call responders (their own channels) at once -- the first rung of
the ladder; the shift lead and the director are the SLA timers' business
(``sla``), later, if nobody acknowledges. A reporter's reply reaches the
people who can read the case and the team.

The receivers run inside the event's transaction (see
``tocsin.cases.signals``; for new reports, the worker's transaction that
opens them) and only write outbox rows: if it rolls back, so do its alerts,
and nothing is sent.

What an alert says is what DESIGN.md allows and no more: the reference (the
one the intake API returned), country, act types, severity, a link to the
case, and the idempotency key the outbox adds. Never the narrative, the
contact, the organisation, the locality or the receipt -- a chat server or a
mailbox outside our control would hold them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, User
from tocsin.cases import signals
from tocsin.cases.models import Case

from . import directory, outbox

CASE_RECEIVED = "case.received"
REPORTER_REPLIED = "case.reporter_replied"


def _fields(case: Case) -> dict[str, str]:
    return {
        "country": case.country,
        "act_types": ", ".join(case.act_types or ()),
        "severity": str(case.severity),
        "link": outbox.case_link(case.reference),
    }


def on_call_responders(case: Case) -> QuerySet[User]:
    return User.objects.filter(memberships__team_id=case.team_id,
                               memberships__role=Membership.Role.RESPONDER, is_active=True)


def readers(case: Case) -> QuerySet[User]:
    """Who holds a sealed key to the case: the people who can act on a reply."""
    return User.objects.filter(case_keys__case=case, is_active=True)


def _new_report(case: Case) -> outbox.Announcement:
    title = _("New report %(reference)s: %(acts)s in %(country)s") % {
        "reference": case.reference, "acts": ", ".join(case.act_types or ()), "country": case.country}
    return outbox.Announcement(CASE_RECEIVED, title, case.reference, _fields(case))


def announce_new_reports(sender: Any, cases: Sequence[Case], version: int | None = None,
                         **kwargs: Any) -> None:
    """Each new report reaches its team's channels and its on-call responders'
    own, as the directory snapshot ``version`` lists them."""
    channels = directory.at(version)
    # The site's language, not the reporter's: the alert is for responders,
    # and the worker's alerts (overdue, escalated) use it too.
    with translation.override(settings.LANGUAGE_CODE):
        outbox.announce_each([(_new_report(case), channels.new_report_channels(case.team_id))
                              for case in cases])


def announce_reporter_reply(sender: Any, case: Case, **kwargs: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The reporter of case %(reference)s replied") % {"reference": case.reference}
    outbox.announce(outbox.Announcement(REPORTER_REPLIED, title, case.reference, _fields(case)),
                    teams=[case.team], users=readers(case))


def connect() -> None:
    """Called from the app's ``ready()``."""
    signals.cases_received.connect(announce_new_reports, dispatch_uid="announcements.new_reports")
    signals.reporter_replied.connect(announce_reporter_reply, dispatch_uid="announcements.reporter_reply")
