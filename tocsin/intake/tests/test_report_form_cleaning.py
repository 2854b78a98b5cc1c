"""How the report form cleans its fields: as Django's own ``_clean_fields``
would, error for error and in both languages, but without a BoundField per
field (ReportForm._clean_fields says why)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from tocsin.intake.forms import CONTROLS, REFUSED, SURROGATES, CountryChoices, CountryField, ReportForm
from tocsin.intake.uploads import EncryptedUpload

from .conftest import ELF, FORM_REPORT, PDF, PNG


class DjangoCleanedReportForm(ReportForm):
    """The report form cleaned by Django's own ``_clean_fields``: through a BoundField per field."""

    _clean_fields = forms.BaseForm._clean_fields  # type: ignore[attr-defined]


def upload(name: str, head: bytes, *, size: int | None = None, too_large: bool = False) -> EncryptedUpload:
    return EncryptedUpload(name=name, content_type="application/octet-stream", public_id=name,
                           file_key=b"k" * 32, path=Path("/nonexistent") / name,
                           size=len(head) if size is None else size, sha256="0" * 64, head=head,
                           too_large=too_large, path_like_name=False)


def without(*names: str) -> dict[str, Any]:
    return {name: value for name, value in FORM_REPORT.items() if name not in names}


REPORTS: dict[str, tuple[dict[str, Any], list[EncryptedUpload]]] = {
    "a valid report": (FORM_REPORT, []),
    "only the required fields": (without("locality", "perpetrator_type", "perpetrator_name", "company",
                                         "items_seized_count", "items_seized_kind", "organisation",
                                         "contact_kind", "contact"), []),
    "nothing at all": ({}, []),
    "every field wrong": ({**FORM_REPORT, "act_types": ["raid", "arson"], "occurred_on": "2026-02-30",
                           "country": "XX", "perpetrator_type": "army", "items_seized_count": "four",
                           "locality": "Irkutsk\x1b[2J", "organisation": "Wave\ufffd",
                           "narrative": "x" * 20_001, "contact_kind": "telegram"}, []),
    "a NUL in the narrative": ({**FORM_REPORT, "narrative": "took\x00every"}, []),
    "a lone surrogate in the company": ({**FORM_REPORT, "company": "Micro\ud800soft"}, []),
    "a count out of range": ({**FORM_REPORT, "items_seized_count": "100001"}, []),
    "a date too old": ({**FORM_REPORT, "occurred_on": "1980"}, []),
    "a contact without its kind": ({**FORM_REPORT, "contact_kind": ""}, []),
    "a kind without a contact": ({**FORM_REPORT, "contact": "  "}, []),
    "an email that is not one": ({**FORM_REPORT, "contact_kind": "email", "contact": "wave@"}, []),
    "a phone number too short": ({**FORM_REPORT, "contact_kind": "phone", "contact": "+7 12"}, []),
    "a country outside the programme": ({**FORM_REPORT, "country": "FR"}, []),
    "evidence files": (FORM_REPORT, [upload("search.pdf", PDF), upload("door.png", PNG)]),
    "bad evidence files": (FORM_REPORT, [upload("tool.pdf", ELF), upload("empty.pdf", b""),
                                         upload("video.pdf", PDF, size=10**9, too_large=True)]),
    "too many files": (FORM_REPORT, [upload(f"{n}.pdf", PDF) for n in range(21)]),
}


def as_posted(fields: dict[str, Any]) -> MultiValueDict:
    return MultiValueDict({key: value if isinstance(value, list) else [value]
                           for key, value in fields.items()})


def cleaned(form_class: type[ReportForm], name: str, language: str) -> dict[str, Any]:
    fields, files = REPORTS[name]
    data = as_posted(fields)
    with translation.override(language):
        form = form_class(data, MultiValueDict({"files": files}), language=language)
        valid = form.is_valid()
        return {"valid": valid, "errors": form.errors.get_json_data(), "page": form.render(),
                "report": form.to_input() if valid else None}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("name", REPORTS)
def test_it_cleans_a_report_as_django_does(name, language):
    assert cleaned(ReportForm, name, language) == cleaned(DjangoCleanedReportForm, name, language)


def test_it_reads_no_bound_field_to_clean_a_report(monkeypatch):
    built = []
    bound_field = forms.Field.get_bound_field
    monkeypatch.setattr(forms.Field, "get_bound_field",
                        lambda field, form, name: built.append(name) or bound_field(field, form, name))
    form = ReportForm(as_posted(FORM_REPORT), MultiValueDict())
    assert form.is_valid(), form.errors
    assert built == []
    assert form["narrative"].value() == FORM_REPORT["narrative"]  # still there to render
    assert built == ["narrative"]


def test_no_field_is_disabled_or_has_an_initial_value():
    # ReportForm._clean_fields never reads a field's initial value: if a field
    # gets one, or is disabled, let Django's own _clean_fields clean the form again.
    for name, field in ReportForm.base_fields.items():
        assert not field.disabled, name
        assert field.initial is None, name


def test_the_first_look_for_refused_text_misses_no_character():
    # plain_text looks at text again only if REFUSED finds something in it.
    every_character = "".join(map(chr, range(0x110000)))
    looked_for = set(REFUSED.findall(every_character))
    refused = {"\ufffd", *SURROGATES.findall(every_character), *CONTROLS.findall(every_character)}
    assert looked_for == refused


@pytest.mark.parametrize("language", ["en", "ru"])
def test_it_takes_a_country_exactly_when_the_country_list_has_it(language):
    listed = forms.ChoiceField(choices=CountryChoices())
    with translation.override(language):
        codes = [code for code, _name in CountryChoices()]
        for value in [*codes, "XX", "ru", "RUS", " RU", "RU ", "0", "__all__"]:
            assert CountryField().valid_value(value) == listed.valid_value(value), value
