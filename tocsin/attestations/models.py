"""Signed attestations of coverage, the keys that sign them, and every check of one.

An attestation is the signed statement "this organisation is covered by the
licence programme until this date"; its ``token`` is what the QR code on the
printed certificate carries, and what anyone can verify -- online here, or
offline with the published keys and revocation list (``verification.py``).

A verification row records that a token was checked and what the answer was,
never who checked: no IP address, no user agent. The check itself may be the
first sign of a raid, which is why it alerts the organisation and the issuer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tocsin.registry.models import Organisation


class SigningKey(models.Model):
    """An Ed25519 key pair of the issuer. The private seed is sealed under a key
    derived from the server's secret (``keys.py``), so a copy of the database
    alone cannot sign.

    Rotated (``retired_at``): signs no more, still verifies what it signed.
    Revoked (``revoked_at``): compromised; nothing it signed is trusted any
    more -- tokens under it verify as ``revoked``."""

    key_id = models.CharField(max_length=16, unique=True)
    public_key = models.BinaryField()
    sealed_seed = models.BinaryField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.key_id


class Attestation(models.Model):
    # 128 random bits, base32: unguessable, so the certificate page can be
    # public to whoever holds the token (see views.py).
    token_id = models.CharField(max_length=32, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="attestations")
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="attestations")
    token = models.TextField()
    # The signed payload, decoded, for pages and the certificate.
    payload = models.JSONField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    rules_version = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    # When the last check alerted: checks within ``ALERT_WINDOW`` of it are
    # recorded but do not alert again (one alert, not a flood, per raid).
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.token_id


class Verification(models.Model):
    """One check of a token. Deliberately nothing about who checked."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        UNKNOWN_KEY = "unknown_key", _("Unknown key")
        FORGED = "forged", _("Forged")

    # Only set when the signature held: a forged token names no attestation.
    attestation = models.ForeignKey(Attestation, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="verifications")
    token_id = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    checked_at = models.DateTimeField(db_index=True)
    # Whether this check alerted (the first in its window) or was coalesced.
    alerted = models.BooleanField(default=False)
    # When the worker wrote the alerts of an alerting check (``checks.announce_due``).
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        # The worker's question every 5 seconds, "which alerting checks are
        # not announced yet?", reads only these few rows, never the table.
        indexes = [models.Index(fields=["id"], condition=models.Q(alerted=True, announced_at__isnull=True),
                                name="attestations_check_to_announce")]

    def __str__(self) -> str:
        return f"{self.token_id or '?'} {self.status} {self.checked_at:%Y-%m-%d %H:%M}"
