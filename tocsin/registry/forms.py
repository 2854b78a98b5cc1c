"""The public self-check's questions ("Am I covered?")."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.registry import countries
from tocsin.registry.eligibility import Facts, RuleSet
from tocsin.registry.models import Organisation

OTHER_COUNTRY = "other"

YES_NO = [("true", _("Yes")), ("false", _("No")), ("", _("Not sure"))]


class CoveredForm(forms.Form):
    """Every answer but kind and country may be left out: the answer then
    says what is missing instead of guessing."""

    kind = forms.ChoiceField(label=_("What are you?"), choices=Organisation.Kind.choices,
                             widget=forms.RadioSelect)
    country = forms.ChoiceField(label=_("Country where you work"))
    government_share = forms.DecimalField(
        label=_("Share of your funding that comes from government (per cent)"), required=False,
        min_value=0, max_value=100, max_digits=5, decimal_places=2,
        help_text=_("For NGOs, journalists' associations and informal groups. 0 if none."))
    not_for_profit = forms.NullBooleanField(
        label=_("Are you not-for-profit?"), required=False,
        widget=forms.RadioSelect(choices=YES_NO))
    community_mission = forms.NullBooleanField(
        label=_("Does your mission benefit the local community?"), required=False,
        widget=forms.RadioSelect(choices=YES_NO))
    media_licence = forms.BooleanField(
        label=_("Media: we hold a local mass-media licence"), required=False)
    media_association = forms.BooleanField(
        label=_("Media: we are a member of a local media association"), required=False)
    media_recognition = forms.BooleanField(
        label=_("Media: we are recognised by an international media organisation"), required=False)
    on = forms.DateField(
        label=_("On which day?"), required=False,
        help_text=_("Leave empty for today. Format: YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, rules: RuleSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        covered = sorted(rules.countries, key=countries.name)
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [
            ("", _("Choose…")),
            *((code, countries.name(code)) for code in covered),
            (OTHER_COUNTRY, _("Another country")),
        ]

    def facts(self) -> Facts:
        data = self.cleaned_data
        country = data["country"]
        return Facts(
            kind=data["kind"],
            # Not a country code: the answer names the covered countries.
            country=country,
            government_share=data["government_share"],
            not_for_profit=data["not_for_profit"],
            community_mission=data["community_mission"],
            media_licence=data["media_licence"],
            media_association=data["media_association"],
            media_recognition=data["media_recognition"],
            on=data["on"],
        )
