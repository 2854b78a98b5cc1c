"""What responders type about a demand, checked for shape before any action runs.

The actions check what depends on the demand itself (open or closed,
approval on record, who may act) under its lock."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from tocsin.accounts.models import Team
from tocsin.cases.forms import date_field
from tocsin.intake.forms import CountryChoices, TextField

from .models import Demand

SCOPE_LIMIT = 5_000
RESPONSE_LIMIT = 10_000
NOTE_LIMIT = 2_000


class DetailsForm(forms.Form):
    """The demand's facts; recording adds the team and the country, which never change."""

    agency = TextField(label=gettext_lazy("Agency"), required=True, max_length=300,
                       help_text=gettext_lazy("The authority that made the demand, e.g. the regional "
                                              "prosecutor's office. Counted in transparency figures."))
    official = TextField(label=gettext_lazy("Official"), max_length=300,
                         help_text=gettext_lazy("Name and position of the official. Stored encrypted."))
    legal_basis = TextField(label=gettext_lazy("Legal basis"), max_length=500,
                            help_text=gettext_lazy("The law or article the agency relied on. Required "
                                                   "before the demand can be closed."))
    delivery = forms.ChoiceField(label=gettext_lazy("Made"), choices=Demand.Delivery.choices,
                                 widget=forms.RadioSelect)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=Demand.Type.choices)
    scope = TextField(label=pgettext_lazy("what a government demand asked for", "Scope"),
                      max_length=SCOPE_LIMIT,
                      widget=forms.Textarea(attrs={"rows": 4}),
                      help_text=gettext_lazy("What exactly was demanded: which accounts, documents or "
                                             "content. Stored encrypted."))
    received_on = date_field(gettext_lazy("Received on"))
    due_on = date_field(gettext_lazy("Deadline"), required=False)
    flagged = forms.BooleanField(
        label=gettext_lazy("It touches an NGO, a media outlet or another civil-society group"),
        required=False,
        help_text=gettext_lazy("Tick it when no linked organisation or case shows this. Headquarters must "
                               "then approve before anyone responds."))


class DemandForm(DetailsForm):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none(),
                                  empty_label=None, to_field_name="name",
                                  help_text=gettext_lazy("The team whose counsel will respond."))
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=CountryChoices())

    field_order = ["team", "country", "agency", "official", "legal_basis", "delivery", "type", "scope",
                   "received_on", "due_on", "flagged"]

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class OrganisationForm(forms.Form):
    organisation = TextField(label=gettext_lazy("Organisation's registry reference"), required=True,
                             max_length=64)


class CaseForm(forms.Form):
    case = TextField(label=gettext_lazy("Case reference"), required=True, max_length=16)


class ApprovalForm(forms.Form):
    note = TextField(label=gettext_lazy("Note"), max_length=NOTE_LIMIT,
                     widget=forms.Textarea(attrs={"rows": 2}),
                     help_text=gettext_lazy("Conditions or instructions for local counsel. "
                                            "Stored encrypted."))


class ResponseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Demand.Outcome.choices,
                                widget=forms.RadioSelect)
    responded_on = date_field(gettext_lazy("Responded on"))
    response = TextField(label=gettext_lazy("Response"), max_length=RESPONSE_LIMIT,
                         widget=forms.Textarea(attrs={"rows": 4}),
                         help_text=gettext_lazy("What the company answered. Stored encrypted."))
