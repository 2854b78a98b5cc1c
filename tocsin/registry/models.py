"""The registry of civil-society organisations Tocsin protects.

An organisation's public details (the ones it chose to show) are what a police
officer sees when verifying its certificate and what the enforcement desk's
screening matches against; its contacts are how Tocsin reaches it when someone
checks its certificate, so they are stored encrypted like a report."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        MEDIA = "media", _("Media outlet")
        JOURNALISTS_ASSOCIATION = "journalists_association", _("Journalists' association")
        INFORMAL_GROUP = "informal_group", _("Informal group")

    class Status(models.TextChoices):
        # In the registry only: known, not (yet) enrolled.
        REGISTERED = "registered", _("Registered")
        # Enrolment approved; covered by the licence programme.
        ENROLLED = "enrolled", _("Enrolled")
        # Holds a signed attestation.
        ATTESTED = "attested", _("Attested")

    # The external reference (the registry file's ``id``); what the API,
    # commands and screening answers call the organisation.
    ref = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=500)
    name_en = models.CharField(max_length=500, blank=True)
    country = models.CharField(max_length=2)
    # Russia's identifiers, digits only and valid by their check digits.
    inn = models.CharField(max_length=12, blank=True, db_index=True)
    ogrn = models.CharField(max_length=15, blank=True, db_index=True)
    # Other countries' identifiers as {"scheme": "value"}.
    identifiers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REGISTERED)
    government_share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                           help_text=_("Per cent of funding from government"))
    not_for_profit = models.BooleanField(null=True)
    mission = models.TextField(blank=True)
    # The facts the eligibility rules ask about (tocsin.registry.eligibility);
    # None means "not known", which never counts towards coverage.
    community_mission = models.BooleanField(null=True, help_text=_("Mission benefits the local community"))
    media_licence = models.BooleanField(null=True, help_text=_("Holds a local mass-media licence"))
    media_association = models.BooleanField(null=True, help_text=_("Member of a local media association"))
    media_recognition = models.BooleanField(
        null=True, help_text=_("Recognised by an international media organisation"))
    address = models.CharField(max_length=500, blank=True)
    # Contacts (email, phone, Signal) sealed under the server's secret-derived
    # key: Tocsin must reach the group, a seized disk must not name its people.
    sealed_contacts = models.BinaryField(blank=True, default=b"")
    # Names of the fields above the organisation agreed to show publicly.
    public_fields = models.JSONField(default=list, blank=True)
    # Set when a change of name, address, kind or funding share means
    # coverage must be decided again.
    requalify = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: screening's name index catches up by "changed since".
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
