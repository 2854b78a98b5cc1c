"""What responders and reporters type about a case, validated before any action runs.

The forms check the shape of the input (known names, dates, plain text);
the actions check what depends on the case itself (which moves its state
allows, who can open it), under its lock."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tocsin.intake.forms import TextField, latest_today

from .models import Intervention, Severity, Status

MESSAGE_LIMIT = 10_000
NOTE_LIMIT = 10_000
MAX_LABELS = 10
# Letters and digits of any script, then letters, digits, spaces, '-' or '_': a tag, not a sentence.
LABEL = re.compile(r"^[^\W_][\w -]{0,31}$")


def earliest_today() -> dt.date:
    """Today somewhere on Earth, at its earliest: a responder west of UTC is still in yesterday."""
    return (timezone.now() - dt.timedelta(hours=12)).date()


class DateInput(forms.DateInput):
    """The browser's own date picker, no script; typed as YYYY-MM-DD elsewhere."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput(),
                           input_formats=["%Y-%m-%d"],
                           error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD.")})


class MessageForm(forms.Form):
    """A message between responders and the reporter, in either direction."""

    body = TextField(label=gettext_lazy("Message to the reporter"), required=True, max_length=MESSAGE_LIMIT,
                     widget=forms.Textarea(attrs={"rows": 4}))


class ReporterMessageForm(MessageForm):
    body = TextField(label=gettext_lazy("Your message"), required=True, max_length=MESSAGE_LIMIT,
                     widget=forms.Textarea(attrs={"rows": 5}),
                     help_text=gettext_lazy("Only the responders of your report can read it."))


class StateChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Status.choices, **kwargs)

    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise ValidationError(
                _("“%(value)s” is not a state. The states are: %(states)s.")
                % {"value": value, "states": ", ".join(Status.values)}, code="invalid_choice")
        super().validate(value)


class ReferralFields(forms.Form):
    """A referral to a partner organisation: on its own, or as the case goes out of mandate."""

    partner = TextField(label=gettext_lazy("Partner organisation"), max_length=200,
                        help_text=gettext_lazy("Its name is stored unencrypted, so that reminders can "
                                               "name it; put details in the note."))
    note = TextField(label=gettext_lazy("Note (encrypted)"), max_length=NOTE_LIMIT,
                     widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_on = date_field(gettext_lazy("Follow up on"), required=False,
                              help_text=gettext_lazy("A reminder is sent that day if nobody has "
                                                     "followed the referral up."))
    referral_required = True

    def clean_follow_up_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data["follow_up_on"]
        if value is not None and value < earliest_today():
            raise ValidationError(_("This date has passed. Choose today or a later day."))
        if value is not None and value > earliest_today() + dt.timedelta(days=366):
            raise ValidationError(_("Choose a day within a year."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.referral_required:
            if not (data.get("partner") or "").strip() and "partner" not in self.errors:
                self.add_error("partner", _("Name the partner organisation the case is referred to."))
            if data.get("follow_up_on") is None and "follow_up_on" not in self.errors:
                self.add_error("follow_up_on", _("Choose the day to follow the referral up."))
        return data


class ReferralForm(ReferralFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "referral_%s")  # unique ids beside the out-of-mandate form
        super().__init__(*args, **kwargs)


class TransitionForm(ReferralFields):
    """The move to ``to_state``. A move out of mandate carries its referral in the same form."""

    to_state = StateChoiceField(label=gettext_lazy("New state"))
    # The state the responder saw: if someone moved the case meanwhile, say so
    # instead of applying a decision taken on an outdated page.
    from_state = StateChoiceField(label=gettext_lazy("Current state"), required=False,
                                  widget=forms.HiddenInput)
    referral_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "move_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        self.referral_required = self.cleaned_data.get("to_state") == Status.OUT_OF_MANDATE
        return super().clean()

    def referral(self) -> dict[str, Any] | None:
        if not self.referral_required:
            return None
        return {name: self.cleaned_data[name] for name in ("partner", "note", "follow_up_on")}


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices)


class AssignForm(forms.Form):
    """Who takes the case on; empty means nobody. The choice is checked against
    the case's readers by the action, under the case's lock."""

    assignee = forms.CharField(label=gettext_lazy("Assigned to"), required=False, max_length=150)

    def __init__(self, *args: Any, readers: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Nobody"))] + [(name, name) for name in readers or []]
        self.fields["assignee"].widget = forms.Select(choices=choices)


def clean_labels(text: str) -> list[str]:
    """Comma-separated tags, lower-cased, blanks and repeats dropped, in the order typed."""
    labels: list[str] = []
    for raw in text.split(","):
        label = " ".join(raw.split()).lower()
        if not label or label in labels:
            continue
        if not LABEL.match(label):
            raise ValidationError(
                _("“%(label)s” is not a label: use up to 32 letters, digits, spaces, “-” or “_”, "
                  "starting with a letter or digit.") % {"label": label[:40]}, code="label")
        labels.append(label)
    if len(labels) > MAX_LABELS:
        raise ValidationError(ngettext("Use at most %(count)d label.", "Use at most %(count)d labels.",
                                       MAX_LABELS) % {"count": MAX_LABELS}, code="too_many")
    return labels


class LabelsForm(forms.Form):
    labels = TextField(label=gettext_lazy("Labels"), max_length=400,
                       help_text=gettext_lazy("Short tags separated by commas, e.g. lawyer-needed, press. "
                                              "They are stored unencrypted: never a name."))

    def clean_labels(self) -> list[str]:
        return clean_labels(self.cleaned_data["labels"])


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What was done"), choices=Intervention.Kind.choices)
    happened_on = date_field(gettext_lazy("Date"),
                             help_text=gettext_lazy("The day it was done; for equipment returned, the "
                                                    "day it came back."))
    seized_on = date_field(gettext_lazy("Equipment taken on"), required=False,
                           help_text=gettext_lazy("Equipment returned only, and only if the report does "
                                                  "not give the day it was taken."))
    note = TextField(label=gettext_lazy("Note (encrypted)"), max_length=NOTE_LIMIT,
                     widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "intervention_%s")
        super().__init__(*args, **kwargs)

    def clean_happened_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["happened_on"]
        if value > latest_today():
            raise ValidationError(_("This date is in the future. Record what has been done."))
        return value

    def clean_seized_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data["seized_on"]
        if value is not None and value > latest_today():
            raise ValidationError(_("This date is in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("seized_on") and data.get("kind") not in (None, Intervention.Kind.EQUIPMENT_RETURNED):
            self.add_error("seized_on", _("Only equipment returned has a day it was taken. Leave this "
                                          "empty or choose “Equipment returned”."))
        return data


class GrantForm(forms.Form):
    """Give the case to one responder or to every current member of a team."""

    user = forms.CharField(label=gettext_lazy("Responder's username"), required=False, max_length=150)
    team = forms.CharField(label=gettext_lazy("or a team"), required=False, max_length=64)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        user, team = (data.get("user") or "").strip(), (data.get("team") or "").strip()
        if bool(user) == bool(team) and not self.errors:
            self.add_error("user", _("Name one responder or one team, not both and not neither."))
        data["user"], data["team"] = user, team
        return data


class RevokeForm(forms.Form):
    user = forms.CharField(label=gettext_lazy("Reader"), max_length=150)
