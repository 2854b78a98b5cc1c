"""The alert outbox and the channels alerts leave through.

An alert row is written in the same transaction as the event it announces,
so an event is never committed without its alerts, nor an alert sent for an
event that rolled back. Workers deliver rows at least once; every message
carries the row's idempotency key so a receiver can drop repeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Team


class Channel(models.Model):
    """Where a team's or a responder's alerts go: an Apprise URL.

    The URL often carries a credential (an SMTP password, a bot token), so it
    is stored encrypted under a key derived from the server's secret; only
    ``label`` -- the URL with secrets masked -- is plain."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="channels")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="channels")
    sealed_url = models.BinaryField()
    label = models.CharField(max_length=300)
    # Loopback and private-network receivers are refused unless allowed here
    # (local relays, tests); checked when added and again at every connect.
    allow_private = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=False, user__isnull=True)
                | models.Q(team__isnull=True, user__isnull=False),
                name="channel_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.label


class Alert(models.Model):
    """One message for one channel: a row of the durable outbox."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Gave up")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="alerts")
    event = models.CharField(max_length=48)
    reference = models.CharField(max_length=16, blank=True)
    # Only what DESIGN.md allows an alert to say: reference, country, act
    # types, severity, a link. Never narrative, names or contacts.
    payload = models.JSONField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the row may next be tried. A worker that claims a row pushes this
    # out by the lease; if the worker dies, the row falls due again by itself.
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.idempotency_key
