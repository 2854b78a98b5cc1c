"""Enrolment: an organisation's application for coverage, the evidence behind
it, the vouching of a trusted partner, the proof vault an enrolled
organisation keeps, and the reminders that coverage is ending.

Contacts, evidence files and their metadata are encrypted under a key derived
from the server's secret (``sealing.py``), not sealed to the reviewers: the
server itself must read the contact to alert the organisation when someone
checks its certificate, and the reminders, at any hour, with nobody logged in.
A seized database alone reveals only the registry data an organisation gives
any official anyway (names, kind, country, identifiers); a seized database
*with* the server's secret reveals contacts and evidence too. That is the
price of alerting without a human in the loop, stated in DESIGN.md's spirit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tocsin.cases.models import CustodyRecord
from tocsin.registry.models import Organisation


class Application(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # Not secret: what reviewers and the applicant call the application.
    reference = models.CharField(max_length=16, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The details as the applicant gave them (kind, names, country,
    # identifiers, funding share, not-for-profit, mission, address, public
    # fields, registry link): written to the organisation only on approval.
    details = models.JSONField()
    # The contact ({"kind": ..., "value": ...}), encrypted (see module docstring).
    sealed_contact = models.BinaryField()
    # A keyed hash of the enrolment receipt: the receipt itself is never stored.
    receipt_tag = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8, default="en")
    submitted_at = models.DateTimeField()
    # A trusted partner's word for a group that cannot register safely.
    vouched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vouched_at = models.DateTimeField(null=True, blank=True)
    vouch_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # What the eligibility rules said at the decision: eligible, reasons, version.
    eligibility = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        permissions = [("review_application", "May review enrolment applications")]

    def __str__(self) -> str:
        return self.reference

    @property
    def vouched(self) -> bool:
        return self.vouched_by_id is not None


class EvidenceFile(models.Model):
    class Kind(models.TextChoices):
        REGISTRY_EXTRACT = "registry_extract", _("Registry extract")
        CERTIFICATE = "certificate", _("Registration certificate")
        GAZETTE = "gazette", _("Official gazette")
        GOVERNING_DOCUMENTS = "governing_documents", _("Governing documents")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    public_id = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # File key, original name, type, size and SHA-256, encrypted.
    sealed_meta = models.BinaryField()
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.public_id


class VaultItem(models.Model):
    """Proof kept before any raid: a purchase receipt, a certificate of authenticity."""

    class Kind(models.TextChoices):
        PURCHASE_RECEIPT = "purchase_receipt", _("Purchase receipt")
        AUTHENTICITY = "authenticity", _("Certificate of authenticity")
        LICENCE = "licence", _("Licence agreement")
        OTHER = "other", _("Other proof")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vault_items")
    public_id = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    sealed_meta = models.BinaryField()
    stored_at = models.DateTimeField()

    class Meta:
        ordering = ["-stored_at", "-id"]

    def __str__(self) -> str:
        return self.public_id


class VaultCustody(CustodyRecord):
    """Chain of custody of a vault item. ``actor`` is empty when the
    organisation itself acted (with its receipt); the SHA-256 of the bytes is
    in ``sealed_detail``."""

    class Action(models.TextChoices):
        STORED = "stored", _("Stored by the organisation")
        DOWNLOADED_BY_ORGANISATION = "downloaded_by_organisation", _("Downloaded by the organisation")
        DOWNLOADED_BY_REVIEWER = "downloaded_by_reviewer", _("Downloaded by a reviewer")

    item = models.ForeignKey(VaultItem, on_delete=models.CASCADE, related_name="custody")
    action = models.CharField(max_length=32, choices=Action.choices)


class Reminder(models.Model):
    """A coverage-ending reminder that went out: one per attestation and threshold."""

    # The attestation's token id, not a foreign key: the attestations app
    # owns that table, and a reminder only needs to know it was sent.
    token_id = models.CharField(max_length=32)
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_id", "days_before"], name="one_reminder_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder of {self.token_id}"


class ContactNotice(models.Model):
    """A message for an organisation's enrolled contact, waiting to be mailed.

    Not an outbox ``Alert``: an alert channel belongs to a team or a user, and
    the contact is neither. The text is fixed and carries no sensitive field;
    the address is read from the organisation's sealed contact only when it is
    sent, so it is never copied anywhere."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        UNSENDABLE = "unsendable", _("No way to send")
        DEAD = "dead", _("Gave up")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=48)
    title = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} for organisation {self.organisation_id}"
