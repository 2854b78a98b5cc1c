"""The lawyers and firms the company has authorised to act for it.

In 2010 lawyers "acting for the company" gave the police valuations of
seized software. The list is public so that a group, a judge or a police
officer can check on the spot whether someone who claims to act for the
company really does. Withdrawn authorisations are kept, not deleted: "his
authorisation was withdrawn on 3 May" is exactly what a group facing that
lawyer needs to hear."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Counsel(models.Model):
    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        FIRM = "firm", _("Law firm")

    class Standing(models.TextChoices):
        AUTHORISED = "authorised", _("Authorised")
        NOT_YET = "not_yet", _("Not yet authorised")
        EXPIRED = "expired", _("Authorisation ended")
        WITHDRAWN = "withdrawn", _("Authorisation withdrawn")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # As the bar or the company registry writes it, usually in the local script.
    name = models.CharField(max_length=300)
    # The Latin spelling they use themselves, if any; matched as well.
    name_en = models.CharField(max_length=300, blank=True)
    # For a lawyer: the firm they practise with (free text; the firm need
    # not be on the list itself).
    firm = models.CharField(max_length=300, blank=True)
    country = models.CharField(max_length=2)
    # Bar membership number for a lawyer, company registration for a firm:
    # what a group can compare with the card the lawyer shows.
    registration_number = models.CharField(max_length=64, blank=True)
    authorised_from = models.DateField()
    authorised_until = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "name"]
        verbose_name_plural = "counsel"

    def __str__(self) -> str:
        return self.name

    def standing(self, today: datetime.date | None = None) -> Counsel.Standing:
        today = today or timezone.localdate()
        if self.withdrawn_at is not None:
            return self.Standing.WITHDRAWN
        if today < self.authorised_from:
            return self.Standing.NOT_YET
        if self.authorised_until is not None and today > self.authorised_until:
            return self.Standing.EXPIRED
        return self.Standing.AUTHORISED
