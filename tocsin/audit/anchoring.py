"""Sending the audit log's anchor off the server, through the alert outbox.

An anchor (``log.Anchor``: the newest entry's number and hash) kept where the
server cannot write is what lets ``tocsin audit verify --anchor`` see a
rewrite of the whole chain. The worker sends one every
``AUDIT_ANCHOR_HOURS`` to the own channels of every active administrator
(their mail, say): nothing in it is sensitive -- a number and a hash."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import User
from tocsin.alerts import outbox
from tocsin.alerts.models import Alert

from . import log

AUDIT_ANCHOR = "audit.anchor"


def sent_since(moment: dt.datetime) -> QuerySet[Alert]:
    """Anchors written after ``moment`` (read through a small partial index)."""
    return Alert.objects.filter(event=AUDIT_ANCHOR, created_at__gt=moment)


def send_anchor(now: dt.datetime | None = None) -> int:
    """Announce the newest anchor if none was sent in the last
    ``AUDIT_ANCHOR_HOURS`` (the outbox is the record of when: a restarted
    worker, or a second one, does not send another); return the alerts written.
    Run by the worker every hour; cheap when nothing is due."""
    hours = settings.AUDIT_ANCHOR_HOURS
    if not hours:
        return 0
    now = timezone.now() if now is None else now
    if sent_since(now - dt.timedelta(hours=hours)).exists():
        return 0
    newest = log.anchor()
    if newest is None:
        return 0
    administrators = User.objects.filter(is_superuser=True, is_active=True)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Audit log anchor: keep this line where the server cannot change it")
    with transaction.atomic():
        return outbox.announce(outbox.Announcement(AUDIT_ANCHOR, title, fields={"anchor": str(newest)}),
                               users=administrators)
