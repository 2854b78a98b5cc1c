"""Responders, the teams they belong to, and the custody of their keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: a responder, a reviewer or an administrator.

    Reporters never have accounts; they hold a receipt instead."""

    class Meta:
        db_table = "accounts_user"


class Team(models.Model):
    """A group of responders who receive reports together.

    Reports from a country that no team claims go to the team named
    ``default``. The team named ``headquarters`` is the company's own
    headquarters team: it approves answers to government demands and is
    alerted when screening stops an action against a protected group."""

    DEFAULT = "default"
    HEADQUARTERS = "headquarters"

    name = models.SlugField(max_length=64, unique=True)
    # ISO 3166-1 alpha-2 codes this team answers for.
    countries = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        RESPONDER = "responder", _("Responder")
        SHIFT_LEAD = "shift_lead", _("Shift lead")
        DIRECTOR = "director", _("Director")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.RESPONDER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} as {self.role}"


class ResponderKey(models.Model):
    """A responder's X25519 key pair. The private half is stored only wrapped:
    under a key stretched from the password (Argon2id), and under the recovery
    key shown once at set-up. A seized database yields neither."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="responder_key")
    public_key = models.BinaryField(max_length=32)
    wrapped_private_key = models.BinaryField()
    salt = models.BinaryField(max_length=16)
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()
    recovery_wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key pair of {self.user}"


class DirectoryVersion(models.Model):
    """One row whose ``value`` changes, through database triggers, whenever
    anything that decides who receives a report changes: teams, memberships,
    responders' keys, a user's ``is_active``, alert channels, SLA policies.

    Each process keeps a snapshot of that directory (``tocsin.server.snapshots``)
    and the intake re-reads only this value, inside the report's transaction,
    instead of a dozen queries. Triggers, not Django signals, so that a
    ``QuerySet.update()``, a migration or a hand-made SQL fix changes it too;
    a random value rather than a counter, so that a rolled-back change (or a
    restored backup) can never bring back a value an older snapshot holds."""

    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "accounts_directory_version"

    def __str__(self) -> str:
        return f"directory version {self.value}"
