"""Validation of an application, of an organisation's update and of proof for the vault."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tocsin.intake import evidence
from tocsin.intake.forms import CountryChoices, TextField
from tocsin.intake.uploads import EncryptedUpload
from tocsin.registry import identifiers
from tocsin.registry.models import Organisation
from tocsin.registry.public import MAY_BE_PUBLIC

from .models import EvidenceFile, VaultItem

YES_NO = [("", gettext_lazy("Choose")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
PUBLIC_FIELD_LABELS = {
    "name_en": gettext_lazy("Name in English"),
    "inn": gettext_lazy("INN"),
    "ogrn": gettext_lazy("OGRN"),
    "identifiers": gettext_lazy("Other identifiers"),
    "address": gettext_lazy("Address"),
    "mission": gettext_lazy("Mission"),
    "status": gettext_lazy("Enrolment status"),
}
# The evidence file inputs of the form, by the kind of evidence they hold.
EVIDENCE_FIELDS = {
    "registry_extract": EvidenceFile.Kind.REGISTRY_EXTRACT,
    "certificate": EvidenceFile.Kind.CERTIFICATE,
    "gazette": EvidenceFile.Kind.GAZETTE,
    "governing_documents": EvidenceFile.Kind.GOVERNING_DOCUMENTS,
}
CHOICE_ERRORS = {"invalid_choice": gettext_lazy("“%(value)s” is not one of the choices.")}


def check_upload(upload: EncryptedUpload | None) -> EncryptedUpload | None:
    """The upload if it is an accepted type, under the size limit, with a plain
    name; a ValidationError naming the problem otherwise. Judged by content."""
    if upload is None:
        return None
    if getattr(upload, "too_large", False):
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB.")
            % {"name": upload.name, "mb": settings.MAX_FILE_BYTES // (1024 * 1024)},
            code="too_large",
        )
    if not isinstance(upload, EncryptedUpload):  # pragma: no cover - the handler is global
        raise ValidationError(_("The file could not be received."), code="invalid")
    try:
        evidence.detect(upload)
    except evidence.RejectedFile as exc:
        raise ValidationError(str(exc), code="file_type") from exc
    return upload


def check_contact(form: forms.Form, kind: str, contact: str) -> None:
    if kind == "email":
        try:
            validate_email(contact)
        except ValidationError:
            form.add_error("contact", _("This is not an email address, such as name@example.org."))
    elif kind in {"signal", "phone"}:
        try:
            valid = phonenumbers.is_possible_number(phonenumbers.parse(contact, None))
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            form.add_error(
                "contact",
                _(
                    "Write the number in international format, starting "
                    "with + and the country code, such as +7 912 345 67 89."
                ),
            )


class ErrorCodes:
    """Which status a refused form answers: 413 for a file over the limit."""

    errors: Any

    def too_large(self) -> bool:
        return any(error.code == "too_large" for errors in self.errors.as_data().values() for error in errors)


class OrganisationFields(forms.Form):
    """What an organisation says about itself, shared by the application and the update."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of organisation"),
        choices=Organisation.Kind.choices,
        error_messages={**CHOICE_ERRORS, "required": gettext_lazy("Choose the kind of organisation.")},
    )
    name = TextField(
        label=gettext_lazy("Name (in the local language)"),
        required=True,
        max_length=500,
        error_messages={"required": gettext_lazy("Give the organisation's name.")},
    )
    name_en = TextField(label=gettext_lazy("Name in English"), max_length=500)
    government_share = forms.DecimalField(
        label=gettext_lazy("Share of funding from government (per cent)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        error_messages={
            "required": gettext_lazy("Give the share of funding from government; 0 if none."),
            "invalid": gettext_lazy("Write a number from 0 to 100, such as 5 or 7.5."),
        },
    )
    not_for_profit = forms.ChoiceField(
        label=gettext_lazy("Is the organisation not-for-profit?"),
        choices=YES_NO,
        error_messages={**CHOICE_ERRORS, "required": gettext_lazy("Say whether it is not-for-profit.")},
    )
    mission = TextField(
        label=gettext_lazy("Mission"),
        required=True,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Describe the organisation's mission.")},
    )
    address = TextField(label=gettext_lazy("Address"), max_length=500)
    public_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Details anyone checking your certificate may see"),
        required=False,
        choices=[(name, PUBLIC_FIELD_LABELS[name]) for name in MAY_BE_PUBLIC],
        widget=forms.CheckboxSelectMultiple,
        error_messages=CHOICE_ERRORS,
        help_text=gettext_lazy("The name, kind and country are always shown; your contact never is."),
    )

    def clean_not_for_profit(self) -> bool:
        return self.cleaned_data["not_for_profit"] == "yes"


class ApplicationForm(ErrorCodes, OrganisationFields):
    CONTACT_KINDS = [
        ("email", gettext_lazy("Email address")),
        ("signal", gettext_lazy("Signal number")),
        ("phone", gettext_lazy("Phone number")),
    ]

    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        choices=CountryChoices(),
        error_messages={
            "required": gettext_lazy("Choose the country."),
            "invalid_choice": gettext_lazy(
                "Choose a country from the list (a two-letter ISO code such as RU)."
            ),
        },
    )
    organisation_ref = TextField(label=gettext_lazy("Registry reference, if you have one"), max_length=64)
    inn = TextField(label=gettext_lazy("INN (Russia)"), max_length=20)
    ogrn = TextField(label=gettext_lazy("OGRN (Russia)"), max_length=20)
    other_identifiers = TextField(
        label=gettext_lazy("Other registration numbers"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line, as “scheme: number”, for example “BIN: 123456789012”."),
    )
    community_mission = forms.BooleanField(
        label=gettext_lazy("Our mission benefits the local community"), required=False
    )
    media_licence = forms.BooleanField(
        label=gettext_lazy("We hold a local mass-media licence"), required=False
    )
    media_association = forms.BooleanField(
        label=gettext_lazy("We are a member of a local media association"), required=False
    )
    media_recognition = forms.BooleanField(
        label=gettext_lazy("We are recognised by an international media organisation"), required=False
    )
    contact_kind = forms.ChoiceField(
        label=gettext_lazy("How can we reach you safely?"),
        choices=CONTACT_KINDS,
        widget=forms.RadioSelect,
        error_messages={**CHOICE_ERRORS, "required": gettext_lazy("Choose email, Signal or phone.")},
    )
    contact = TextField(
        label=gettext_lazy("Address or number"),
        required=True,
        max_length=200,
        error_messages={"required": gettext_lazy("Write the address or the number.")},
        help_text=gettext_lazy(
            "We write here when someone checks your certificate and "
            "before your coverage ends. Stored encrypted; never shown publicly."
        ),
    )
    registry_link = forms.URLField(
        label=gettext_lazy("Link to your entry in an official registry"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": gettext_lazy("Give a full web address, such as https://egrul.nalog.ru/…")},
    )
    registry_extract = forms.FileField(label=gettext_lazy("Registry extract"), required=False)
    certificate = forms.FileField(label=gettext_lazy("Registration certificate"), required=False)
    gazette = forms.FileField(label=gettext_lazy("Official gazette notice"), required=False)
    governing_documents = forms.FileField(
        label=gettext_lazy("Governing documents (charter, statutes)"), required=False
    )

    def clean_inn(self) -> str:
        value = self.cleaned_data["inn"].strip()
        try:
            return identifiers.normalise_inn(value) if value else ""
        except identifiers.InvalidIdentifier as exc:
            raise ValidationError(str(exc), code="check_digits") from exc

    def clean_ogrn(self) -> str:
        value = self.cleaned_data["ogrn"].strip()
        try:
            return identifiers.normalise_ogrn(value) if value else ""
        except identifiers.InvalidIdentifier as exc:
            raise ValidationError(str(exc), code="check_digits") from exc

    def clean_other_identifiers(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in self.cleaned_data["other_identifiers"].splitlines():
            if not line.strip():
                continue
            scheme, colon, value = line.partition(":")
            if not colon or not scheme.strip() or not value.strip():
                raise ValidationError(
                    _("Write each number as “scheme: number” on its own line."), code="format"
                )
            found[" ".join(scheme.split())[:40]] = identifiers.normalise_free(value)[:100]
        return found

    def clean_organisation_ref(self) -> str:
        ref = self.cleaned_data["organisation_ref"].strip()
        if ref and not Organisation.objects.filter(ref=ref).exists():
            raise ValidationError(
                _("No organisation in the registry has the reference “%(ref)s”. Leave it empty to be added.")
                % {"ref": ref},
                code="unknown",
            )
        return ref

    def clean_contact(self) -> str:
        return self.cleaned_data["contact"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in EVIDENCE_FIELDS:
            try:
                check_upload(data.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
                data.pop(name, None)
        if data.get("contact_kind") and data.get("contact"):
            check_contact(self, data["contact_kind"], data["contact"])
        if data.get("country") != "RU" and (data.get("inn") or data.get("ogrn")):
            self.add_error(
                "inn" if data.get("inn") else "ogrn",
                _("INN and OGRN are Russian numbers; for another country use “Other registration numbers”."),
            )
        has_evidence = bool(data.get("registry_link")) or any(self.files.get(n) for n in EVIDENCE_FIELDS)
        if (
            data.get("kind")
            and data["kind"] != Organisation.Kind.INFORMAL_GROUP
            and not has_evidence
            and not self.errors
        ):
            self.add_error(
                "registry_link",
                _(
                    "Give a registry link or attach at least one document "
                    "(registry extract, certificate, gazette or governing "
                    "documents). Informal groups may apply without them: a "
                    "trusted partner vouches for them instead."
                ),
            )
        return data

    def evidence_files(self) -> list[tuple[str, EncryptedUpload]]:
        return [
            (str(kind), self.cleaned_data[name])
            for name, kind in EVIDENCE_FIELDS.items()
            if self.cleaned_data.get(name)
        ]

    def details(self) -> dict[str, Any]:
        """The JSON-ready details of the application (contact and files apart)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "name": data["name"],
            "name_en": data["name_en"],
            "country": data["country"],
            "organisation_ref": data["organisation_ref"],
            "inn": data["inn"],
            "ogrn": data["ogrn"],
            "identifiers": data["other_identifiers"],
            "government_share": str(data["government_share"]),
            "not_for_profit": data["not_for_profit"],
            "community_mission": data["community_mission"],
            "media_licence": data["media_licence"],
            "media_association": data["media_association"],
            "media_recognition": data["media_recognition"],
            "mission": data["mission"],
            "address": data["address"],
            "public_fields": sorted(set(data["public_fields"])),
            "registry_link": data["registry_link"],
        }

    def contact_value(self) -> dict[str, str]:
        return {"kind": self.cleaned_data["contact_kind"], "value": self.cleaned_data["contact"]}


class UpdateForm(OrganisationFields):
    """An enrolled organisation's (or a reviewer's) change of its details."""

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["public_fields"] = sorted(set(data["public_fields"]))
        return data


class ReceiptForm(forms.Form):
    receipt = forms.CharField(max_length=64)


class VaultForm(ErrorCodes, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What is it?"),
        choices=VaultItem.Kind.choices,
        error_messages={**CHOICE_ERRORS, "required": gettext_lazy("Choose what the file is.")},
    )
    file = forms.FileField(
        label=gettext_lazy("File"), error_messages={"required": gettext_lazy("Attach the file to keep.")}
    )

    def clean_file(self) -> EncryptedUpload | None:
        return check_upload(self.cleaned_data["file"])


class DecisionForm(forms.Form):
    reason = TextField(
        label=gettext_lazy("Reason"),
        required=True,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Give the reason for the decision; the organisation will read it.")
        },
    )


class VouchForm(forms.Form):
    reason = TextField(
        label=gettext_lazy("Why you vouch for this group"),
        required=True,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Say how you know this group and why it cannot register safely.")
        },
    )
