"""What a screening leaves behind.

A ``Screening`` records who asked (the token), what was answered and why
(decision, matched organisations, scores, reasons) and when -- enough to
show that every enforcement step was checked and what the check said.

It does not record the query: the name, address, issuing authority, legal
basis and case reference are enforcement paperwork about a protected group,
and a seized or leaked database must not become a list of who was targeted
and by whom. When the answer is ``protected`` that paperwork goes into the
case the screening opens, encrypted to the responders of the routed team
like any report; for ``review`` and ``clear`` the law firm keeps its own
paperwork and refers to the screening by its ``public_id``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tocsin.tokens.models import ApiToken


class Screening(models.Model):
    class Decision(models.TextChoices):
        PROTECTED = "protected", _("Protected: the action must stop")
        REVIEW = "review", _("Review: a person decides before any action")
        CLEAR = "clear", _("Clear: nothing similar in the registry")

    public_id = models.CharField(max_length=32, unique=True)
    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="screenings")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    # [{"ref", "score", "reasons"}] -- registry refs, never the query.
    matches = models.JSONField(default=list)
    # The case opened for a ``protected`` answer (its reference), if one was.
    case_reference = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["decision", "at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.decision}"


class RegistryGeneration(models.Model):
    """One row counting registry changes, so every process's name index
    (``index.get_index``) knows with one primary-key read when to rebuild."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"registry generation {self.value}"
