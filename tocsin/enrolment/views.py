"""The organisation's pages: apply, and come back with the receipt to see the
decision, update its details and use its proof vault. No login, no JavaScript.

The receipt travels in a hidden field of each POST form only: never in a URL
(history, logs, Referer), a cookie or the session. Pages are never cached."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tocsin.intake import evidence
from tocsin.registry.models import Organisation

from . import actions, receipts, status, vault
from .errors import Refused
from .forms import ApplicationForm, UpdateForm, VaultForm
from .models import Application


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "enrolment/apply.html", {"form": ApplicationForm()})
    form = ApplicationForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "enrolment/apply.html", {"form": form}, status=413 if form.too_large() else 400
        )
    submitted = actions.submit_application(
        form.details(), form.contact_value(), form.evidence_files(), language=get_language() or "en"
    )
    return render(
        request,
        "enrolment/receipt.html",
        {"receipt": submitted.receipt, "reference": submitted.application.reference},
        status=201,
    )


def _initial(organisation: Organisation) -> dict[str, Any]:
    return {
        "kind": organisation.kind,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "government_share": organisation.government_share,
        "mission": organisation.mission,
        "not_for_profit": {True: "yes", False: "no"}.get(organisation.not_for_profit, ""),  # type: ignore[arg-type]
        "address": organisation.address,
        "public_fields": organisation.public_fields,
    }


def _status_page(
    request: HttpRequest, application: Application, receipt: str, *, code: int = 200, **bound: Any
) -> HttpResponse:
    enrolled = application.status == Application.Status.APPROVED
    organisation = application.organisation
    context: dict[str, Any] = {
        "application": application,
        "organisation": organisation,
        "receipt": receipt,
        "enrolled": enrolled,
        "items": vault.contents(organisation) if enrolled else [],
        "update_form": UpdateForm(initial=_initial(organisation)) if enrolled else None,
        "vault_form": VaultForm() if enrolled else None,
        "attestation": organisation.attestations.filter(revoked_at__isnull=True).first()
        if enrolled
        else None,
        "notice": "",
        "wrong": False,
        "throttled": False,
    }
    context.update(bound)
    return render(request, "enrolment/status.html", context, status=code)


def _opened(request: HttpRequest) -> tuple[Application, str] | HttpResponse:
    """The application of the receipt posted (with the receipt, formatted), or
    the page refusing it."""
    empty = {"application": None, "receipt": "", "wrong": False, "throttled": False}
    receipt = request.POST.get("receipt", "")
    try:
        application = status.open_with_receipt(request, receipt)
    except status.TooManyGuesses:
        return render(request, "enrolment/status.html", {**empty, "throttled": True}, status=429)
    except status.WrongReceipt:
        return render(request, "enrolment/status.html", {**empty, "wrong": True}, status=404)
    return application, receipts.formatted(receipt)


@never_cache
@sensitive_post_parameters("receipt", "contact")
@require_http_methods(["GET", "POST"])
def enrol_status(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "enrolment/status.html",
            {"application": None, "receipt": "", "wrong": False, "throttled": False},
        )
    opened = _opened(request)
    if isinstance(opened, HttpResponse):
        return opened
    return _status_page(request, *opened)


def _enrolled(request: HttpRequest) -> tuple[Application, str] | HttpResponse:
    """As ``_opened``, and refused (403) unless the application was approved:
    the vault and the details are an enrolled organisation's."""
    opened = _opened(request)
    if not isinstance(opened, HttpResponse) and opened[0].status != Application.Status.APPROVED:
        return _status_page(request, *opened, code=403)
    return opened


@never_cache
@sensitive_post_parameters("receipt")
@require_POST
def enrol_update(request: HttpRequest) -> HttpResponse:
    opened = _enrolled(request)
    if isinstance(opened, HttpResponse):
        return opened
    application, receipt = opened
    form = UpdateForm(request.POST)
    if not form.is_valid():
        return _status_page(request, application, receipt, code=400, update_form=form)
    try:
        changed = actions.update_organisation(application.organisation, acting_user=None, **form.changes())
    except Refused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _status_page(request, application, receipt, code=exc.status, update_form=form)
    application.organisation.refresh_from_db()
    return _status_page(request, application, receipt, notice="updated" if changed else "unchanged")


@never_cache
@sensitive_post_parameters("receipt")
@require_POST
def enrol_vault(request: HttpRequest) -> HttpResponse:
    opened = _enrolled(request)
    if isinstance(opened, HttpResponse):
        return opened
    application, receipt = opened
    form = VaultForm(request.POST, request.FILES)
    if not form.is_valid():
        return _status_page(
            request, application, receipt, code=413 if form.too_large() else 400, vault_form=form
        )
    vault.store(application.organisation, form.cleaned_data["kind"], form.cleaned_data["file"])
    return _status_page(request, application, receipt, code=201, notice="stored")


@never_cache
@sensitive_post_parameters("receipt")
@require_POST
def enrol_vault_download(request: HttpRequest, public_id: str) -> HttpResponseBase:
    opened = _enrolled(request)
    if isinstance(opened, HttpResponse):
        return opened
    application = opened[0]
    item = application.organisation.vault_items.filter(public_id=public_id).first()
    if item is None:
        raise Http404
    return evidence.download(item.public_id, vault.open_item(item, acting_user=None), fallback_name="file")
