"""The register of government demands the company receives (GNI).

What stays in plain columns is what the transparency figures count and what
routing needs: country, agency, type, written or oral, legal basis, dates,
outcome, status. Agencies and laws are public bodies and public texts, and
the register exists to report them. What could name a person -- the
official who made the demand, the scope (whose account, which group, which
documents), the company's response and the approval note -- is sealed
(``sealing``): a seized database or backup shows that the prosecutor's office
asked for account data under article 144, not whose.

Sealed under a key derived from the server's secret, like alert channel
URLs, not to each reader's own key as reports are: demands are the company
legal staff's own records, read by whoever is on duty, and a responder who
joins later must be able to read the open ones. A seized database without
the secret reveals nothing sealed; a seized running server does."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Team
from tocsin.cases.models import Case
from tocsin.registry.models import Organisation


class Demand(models.Model):
    class Delivery(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")

    class Type(models.TextChoices):
        SEARCH_SEIZURE = "search_seizure", _("Search or seizure")
        INFORMATION_REQUEST = "information_request", _("Information request")
        CONTENT_RESTRICTION = "content_restriction", _("Content restriction")
        ACCOUNT_DATA = "account_data", _("Account data")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        COMPLIED = "complied", _("Complied")
        PARTIAL = "partial", _("Partly complied")
        REFUSED = "refused", _("Refused")
        CHALLENGED = "challenged", _("Challenged")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(max_length=16, unique=True)
    # The local team that handles it (its counsel respond); headquarters sees all.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="demands")
    country = models.CharField(max_length=2)
    agency = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=500, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    type = models.CharField(max_length=32, choices=Type.choices)
    received_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    # Set by a responder when the demand touches civil society in a way no
    # linked organisation or case shows (a group not in the registry).
    flagged = models.BooleanField(default=False)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="demands")
    cases = models.ManyToManyField(Case, blank=True, related_name="demands")
    # {"official", "scope", "response", "approval_note"}, JSON sealed to the reference.
    sealed = models.BinaryField()

    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-created_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def touches_civil_society(self) -> bool:
        """Whether headquarters must approve before anyone responds.

        Every organisation in the registry is a civil-society group (an NGO,
        a media outlet, a journalists' association, or an informal group --
        the last included on purpose: it is the least able to defend
        itself), and every case is a group's report of pressure; so any link
        to either, or the flag, is enough."""
        if self.flagged:
            return True
        if self.pk is None:
            return False
        return self.organisations.exists() or self.cases.exists()

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
