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
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # When the audit anchor was last sent (tocsin.audit.anchoring): a few
            # rows a year, and no other alert writes to it.
            models.Index(fields=["created_at"], condition=models.Q(event="audit.anchor"),
                         name="alert_audit_anchor"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class TeamPolicy(models.Model):
    """A team's own response-time promise where it differs from the defaults
    in settings (``SLA_*``). A blank field means "the default", so a change of
    the default reaches every team that never chose otherwise."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="sla_policy")
    acknowledge_critical_minutes = models.PositiveIntegerField(null=True, blank=True)
    acknowledge_high_minutes = models.PositiveIntegerField(null=True, blank=True)
    acknowledge_normal_minutes = models.PositiveIntegerField(null=True, blank=True)
    shift_lead_minutes = models.PositiveIntegerField(null=True, blank=True)
    director_minutes = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "team policies"

    def __str__(self) -> str:
        return f"SLA of {self.team}"


class Timer(models.Model):
    """A promise about one case that someone must keep, and what happens when
    nobody does: an acknowledgement deadline with its escalation ladder, or a
    referral's follow-up reminder.

    ``due_at`` and ``next_step`` say when the worker must next act and what
    it will do; they are recomputed after every step (``sla.plan``). A timer
    stays open after its last step until the promise is kept, so the timers
    page still shows it, overdue."""

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", _("Acknowledgement")
        REFERRAL_FOLLOW_UP = "referral_follow_up", _("Referral follow-up")

    class Step(models.TextChoices):
        OVERDUE = "overdue", _("Overdue alert to the on-call responders and the shift lead")
        SHIFT_LEAD = "shift_lead", _("Escalation to the shift lead")
        DIRECTOR = "director", _("Escalation to the director")
        REMINDER = "reminder", _("Follow-up reminder")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="timers")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # The referral's id, not a foreign key: referrals belong to the cases app,
    # and a timer only needs to find its own again when the referral closes.
    referral_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The severity the deadline was computed for (acknowledgement timers).
    severity = models.CharField(max_length=8, blank=True)
    started_at = models.DateTimeField()
    # When the promise is broken: the acknowledgement deadline, or the
    # moment the referral's follow-up falls due.
    deadline_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    next_step = models.CharField(max_length=16, choices=Step.choices, blank=True)
    escalations = models.PositiveSmallIntegerField(default=0)  # rungs of the ladder alerted
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_because = models.CharField(max_length=24, blank=True)

    class Meta:
        indexes = [
            # The worker asks "anything due?" every second: one index probe.
            models.Index(fields=["due_at"], condition=models.Q(stopped_at__isnull=True), name="timer_due"),
            models.Index(fields=["deadline_at"], condition=models.Q(stopped_at__isnull=True),
                         name="timer_open_by_deadline"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(kind="acknowledge"),
                                    name="one_acknowledge_timer_per_case"),
            models.UniqueConstraint(fields=["referral_id"], condition=models.Q(kind="referral_follow_up"),
                                    name="one_timer_per_referral"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} timer of case {self.case_id}"
