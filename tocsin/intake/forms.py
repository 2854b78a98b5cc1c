"""Validation of a report, shared by the HTML form and the JSON API."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries

from tocsin.cases.models import ActType, DatePrecision, PerpetratorType

from . import evidence
from .uploads import EncryptedUpload

# The countries of the 2010 programme come first in the list.
PROGRAMME_COUNTRIES = ["AM", "AZ", "BY", "CN", "KZ", "KG", "MY", "RU", "TJ", "TM", "UZ", "VN"]
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Unicode categories Cs (surrogates) and Cc (controls) less tab and line breaks, as
# character classes: one regex pass instead of unicodedata.category() per character.
SURROGATE_RANGE = "\ud800-\udfff"
CONTROL_RANGE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
SURROGATES = re.compile(f"[{SURROGATE_RANGE}]")
CONTROLS = re.compile(f"[{CONTROL_RANGE}]")
# Every character plain_text refuses, so that text without any (nearly all of
# it) is read once rather than three times: a narrative may be 20,000 characters.
REFUSED = re.compile(f"[\ufffd{SURROGATE_RANGE}{CONTROL_RANGE}]")


def plain_text(value: str) -> None:
    """Refuse control characters (other than line breaks and tabs) and text
    that arrived as invalid UTF-8: the form's decoder turns it into U+FFFD,
    and JSON can smuggle lone surrogates (``"\\ud800"``), which no UTF-8
    encoder accepts when the report is sealed or stored."""
    if not REFUSED.search(value):
        return
    if "\ufffd" in value or SURROGATES.search(value):
        raise ValidationError(_("This text is not valid UTF-8. Retype it or paste it as plain text."),
                              code="encoding")
    if CONTROLS.search(value):
        raise ValidationError(_("Remove the invisible control characters from this text."),
                              code="control")


class TextField(forms.CharField):
    default_validators = [plain_text]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[EncryptedUpload]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def latest_today() -> dt.date:
    """Today somewhere on Earth: a reporter east of UTC is already in tomorrow."""
    return (timezone.now() + dt.timedelta(hours=14)).date()


def country_choices() -> list[tuple[str, str]]:
    return list(_country_choices(translation.get_language()))


class CountryChoices(BaseChoiceIterator):
    """The country list in the active language, built once per language: sorting
    and normalising ~250 translated names on every request cost more than all
    the rest of the validation. Django takes a ``BaseChoiceIterator`` as it is."""

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(_country_choices(translation.get_language()))


class CountryField(forms.ChoiceField):
    """A country from ``CountryChoices``, looked up among their codes: walking
    the ~250 choices to find the one given cost up to 25 µs a report."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CountryChoices(), **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in _country_codes(translation.get_language())


@functools.cache
def _country_codes(language: str | None) -> frozenset[str]:
    return frozenset(code for code, _name in _country_choices(language))


@functools.cache
def _country_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    names = {code: str(name) for code, name in countries}
    first = [(code, names[code]) for code in PROGRAMME_COUNTRIES]
    rest = sorted(((c, n) for c, n in names.items() if c not in PROGRAMME_COUNTRIES),
                  key=lambda item: item[1])
    return (("", _("Choose a country")), *first, ("", "──────────"), *rest)


@dataclass
class ReportInput:
    """A validated report, ready for ``intake.actions.submit_report``."""

    act_types: list[str]
    occurred_on: str
    occurred_precision: str
    country: str
    narrative: str
    language: str
    locality: str = ""
    perpetrator_type: str = ""
    perpetrator_name: str = ""
    company: str = ""
    items_seized_count: int | None = None
    items_seized_kind: str = ""
    organisation: str = ""
    contact_kind: str = ""
    contact: str = ""
    files: list[EncryptedUpload] = field(default_factory=list)

    def sealed_fields(self) -> dict[str, str]:
        """The fields that are encrypted; everything else is triage metadata."""
        return {
            "narrative": self.narrative,
            "locality": self.locality,
            "perpetrator_name": self.perpetrator_name,
            "items_seized_kind": self.items_seized_kind,
            "organisation": self.organisation,
            "contact_kind": self.contact_kind,
            "contact": self.contact,
        }


class SharedFields(dict[str, forms.Field]):
    """A form's ``base_fields``, shared by its instances instead of deep-copied
    into each. Django copies them so that an instance may change its fields;
    a form that never does (the report form: its only per-instance values are
    lazy) saves a third of its cost on every report."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class ReportForm(forms.Form):
    CONTACT_KINDS = [
        ("", gettext_lazy("No contact: I will come back with my receipt")),
        ("signal", gettext_lazy("Signal number")),
        ("email", gettext_lazy("Email address")),
        ("phone", gettext_lazy("Phone number")),
    ]

    act_types = forms.MultipleChoiceField(
        label=gettext_lazy("What happened?"), choices=ActType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Choose all that apply."),
        error_messages={"required": gettext_lazy("Choose at least one thing that happened."),
                        "invalid_choice": gettext_lazy("“%(value)s” is not one of the choices.")},
    )
    occurred_on = forms.CharField(
        label=gettext_lazy("When did it happen?"), max_length=10,
        help_text=gettext_lazy("Year (2026), month (2026-03) or exact day (2026-03-15), "
                               "as precisely as you know."),
        error_messages={"required": gettext_lazy("Give the year, the month or the day it happened.")},
    )
    country = CountryField(
        label=gettext_lazy("Country"),
        error_messages={"required": gettext_lazy("Choose the country where it happened."),
                        "invalid_choice": gettext_lazy("Choose a country from the list (a two-letter "
                                                       "ISO code such as RU).")},
    )
    locality = TextField(label=gettext_lazy("Town or region"), max_length=200)
    perpetrator_type = forms.ChoiceField(
        label=gettext_lazy("Who acted against you?"), required=False,
        choices=[("", gettext_lazy("Not sure")), *PerpetratorType.choices],
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not one of the choices.")},
    )
    perpetrator_name = TextField(label=gettext_lazy("Their name or unit, if known"), max_length=300)
    company = TextField(label=gettext_lazy("Company named in the action"), max_length=200,
                        help_text=gettext_lazy("The software company the officials or lawyers "
                                               "said they acted for."))
    items_seized_count = forms.IntegerField(
        label=gettext_lazy("How many items were taken?"), required=False,
        min_value=0, max_value=100_000,
        error_messages={"invalid": gettext_lazy("Write a whole number, such as 3.")},
    )
    items_seized_kind = TextField(label=gettext_lazy("What kind of items?"), max_length=300,
                                  help_text=gettext_lazy("For example: 4 laptops, 1 server, documents."))
    organisation = TextField(label=gettext_lazy("Your organisation"), max_length=300,
                             help_text=gettext_lazy("Optional. Leave empty to stay anonymous."))
    narrative = TextField(
        label=gettext_lazy("What happened, in your words"), required=True, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": gettext_lazy("Tell us what happened; a few sentences are enough.")},
    )
    contact_kind = forms.ChoiceField(
        label=gettext_lazy("How can we reach you safely?"), choices=CONTACT_KINDS, required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choose signal, email or phone.")},
    )
    contact = TextField(label=gettext_lazy("Number or address"), max_length=200)
    # The field shadows BaseForm.files only for the type checker: Django moves
    # declared fields into base_fields, so the instance attribute is untouched.
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("Evidence files"), required=False,
        help_text=lazy(lambda: _("Photos, scans of documents, recordings. Up to %(mb)s MB each.")
                       % {"mb": settings.MAX_FILE_BYTES // (1024 * 1024)}, str)(),
    )

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language

    def _clean_fields(self) -> None:
        """Django's ``BaseForm._clean_fields`` (5.2), less a BoundField per field.

        Django reads each field's value through a BoundField, and building one
        translates the field's help text and works out its HTML names: for
        this form's 14 fields that is a third of the cost of validating a
        report, though the API never renders the form (the page builds its
        BoundFields when it does). The value is read here from the widget, as
        ``BoundField.data`` reads it. Django's version also reads
        ``BoundField.initial``, for a disabled field and as a file field's
        previous file; this form has no disabled field and no initial values,
        so that is always empty. test_report_form_cleaning checks both, and
        that the result is Django's, error for error, in both languages."""
        for name, form_field in self.fields.items():
            value = form_field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                self.cleaned_data[name] = form_field.clean(value)
                clean_field = getattr(self, f"clean_{name}", None)
                if clean_field is not None:
                    self.cleaned_data[name] = clean_field()
            except ValidationError as exc:
                self.add_error(name, exc)

    def clean_occurred_on(self) -> str:
        value = self.cleaned_data["occurred_on"].strip()
        match = DATE_PATTERN.match(value)
        if not match:
            raise ValidationError(_("Write the date as YYYY, YYYY-MM or YYYY-MM-DD, for example "
                                    "2026-03-15."), code="format")
        year, month, day = (None if part is None else int(part) for part in match.groups())
        try:
            # Only a part that was left out counts as 1: "2025-00" names month 0.
            start = dt.date(year or 0, 1 if month is None else month, 1 if day is None else day)
        except ValueError as exc:
            raise ValidationError(_("There is no such date. Check the month and the day."),
                                  code="impossible") from exc
        if start > latest_today():
            raise ValidationError(_("The date is in the future."), code="future")
        if year is not None and year < 1990:
            raise ValidationError(_("Give a year from 1990 onwards."), code="too_old")
        return value

    def clean_contact(self) -> str:
        return self.cleaned_data["contact"].strip()

    def clean_files(self) -> list[EncryptedUpload]:
        files: list[EncryptedUpload] = self.cleaned_data.get("files") or []
        if len(files) > settings.MAX_FILES_PER_REPORT:
            limit = settings.MAX_FILES_PER_REPORT
            raise ValidationError(ngettext("Attach at most %(n)s file to one report.",
                                           "Attach at most %(n)s files to one report.", limit)
                                  % {"n": limit}, code="too_many")
        errors = []
        for upload in files:
            if upload.too_large:
                errors.append(ValidationError(
                    _("“%(name)s” is larger than %(mb)s MB.")
                    % {"name": upload.name, "mb": settings.MAX_FILE_BYTES // (1024 * 1024)},
                    code="too_large"))
                continue
            try:
                evidence.detect(upload)
            except evidence.RejectedFile as exc:
                errors.append(ValidationError(str(exc), code="file_type"))
        if sum(upload.size or 0 for upload in files) > settings.MAX_REPORT_BYTES:
            errors.append(ValidationError(_("All files together are larger than %(mb)s MB.")
                                          % {"mb": settings.MAX_REPORT_BYTES // (1024 * 1024)},
                                          code="too_large"))
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, contact = data.get("contact_kind") or "", data.get("contact") or ""
        if contact and not kind:
            self.add_error("contact_kind", _("Say whether this is a Signal number, an email or a phone."))
        elif kind and not contact:
            self.add_error("contact", _("Write the number or address, or choose “No contact”."))
        elif kind == "email":
            try:
                validate_email(contact)
            except ValidationError:
                self.add_error("contact", _("This is not an email address, such as name@example.org."))
        elif kind in {"signal", "phone"}:
            try:
                number = phonenumbers.parse(contact, None)
                valid = phonenumbers.is_possible_number(number)
            except phonenumbers.NumberParseException:
                valid = False
            if not valid:
                self.add_error("contact", _("Write the number in international format, starting "
                                            "with + and the country code, such as +7 912 345 67 89."))
        return data

    def too_large(self) -> bool:
        return any(error.code == "too_large" for error in self.errors.as_data().get("files", []))

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        precision = {1: DatePrecision.YEAR, 2: DatePrecision.MONTH, 3: DatePrecision.DAY}[
            len(data["occurred_on"].split("-"))
        ]
        return ReportInput(
            act_types=sorted(set(data["act_types"])),
            occurred_on=data["occurred_on"],
            occurred_precision=precision,
            country=data["country"],
            narrative=data["narrative"],
            language=self.language,
            locality=data["locality"],
            perpetrator_type=data["perpetrator_type"],
            perpetrator_name=data["perpetrator_name"],
            company=data["company"],
            items_seized_count=data["items_seized_count"],
            items_seized_kind=data["items_seized_kind"],
            organisation=data["organisation"],
            contact_kind=data["contact_kind"] if data["contact"] else "",
            contact=data["contact"],
            files=data["files"],
        )


ReportForm.base_fields = SharedFields(ReportForm.base_fields)
