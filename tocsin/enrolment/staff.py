"""Staff pages of enrolment: the review queue, an application, the decision,
vouching, and an organisation's details and proof vault.

Logged in with a second factor (``SecondFactorMiddleware``) for all of them.
Reviewers (``access.is_reviewer``) see everything, decrypted and audited;
responders of any team see the queue and the registry details and may vouch,
but never the contact or the evidence. Anyone else gets "not found"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tocsin.intake import evidence
from tocsin.registry.models import Organisation

from . import actions, vault
from .access import access_application, is_reviewer, may_see_applications, may_vouch
from .errors import Refused
from .forms import DecisionForm, UpdateForm, VouchForm
from .models import Application
from .views import _initial

PAGE_ROWS = 200


def _reviewer_only(request: HttpRequest) -> None:
    if not is_reviewer(request.user):
        raise Http404


@never_cache
@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    if not may_see_applications(request.user):
        raise Http404
    pending = (
        Application.objects.filter(status=Application.Status.PENDING)
        .select_related("organisation", "vouched_by")
        .order_by("submitted_at")[:PAGE_ROWS]
    )
    decided = (
        Application.objects.exclude(status=Application.Status.PENDING)
        .select_related("organisation")
        .order_by("-decided_at")[:50]
    )
    requalify = Organisation.objects.filter(requalify=True).order_by("name")[:PAGE_ROWS]
    return render(
        request,
        "enrolment/review_list.html",
        {
            "pending": pending,
            "decided": decided,
            "requalify": requalify if is_reviewer(request.user) else [],
            "reviewer": is_reviewer(request.user),
        },
    )


def _application_page(
    request: HttpRequest, application: Application, *, code: int = 200, **bound: Any
) -> HttpResponse:
    reviewer = is_reviewer(request.user)
    opened = actions.open_application(application, acting_user=request.user) if reviewer else None
    pending = application.status == Application.Status.PENDING
    context: dict[str, Any] = {
        "application": application,
        "details": application.details,
        "opened": opened,
        "reviewer": reviewer,
        "pending": pending,
        "approve_form": DecisionForm(prefix="approve") if reviewer and pending else None,
        "reject_form": DecisionForm(prefix="reject") if reviewer and pending else None,
        "vouch_form": VouchForm() if pending and not application.vouched else None,
        "attestation": (
            application.organisation.attestations.first()
            if application.status == Application.Status.APPROVED
            else None
        ),
    }
    context.update(bound)
    return render(request, "enrolment/review_application.html", context, status=code)


@never_cache
@login_required
@require_GET
def review_application(request: HttpRequest, reference: str) -> HttpResponse:
    return _application_page(request, access_application(request.user, reference))


@never_cache
@login_required
@require_GET
def review_evidence(request: HttpRequest, reference: str, public_id: str) -> HttpResponseBase:
    application = access_application(request.user, reference)
    _reviewer_only(request)
    item = application.evidence.filter(public_id=public_id).first()
    if item is None:
        raise Http404
    meta = actions.open_evidence(application, item, acting_user=request.user)
    return evidence.download(item.public_id, meta, fallback_name="file")


def _decide(request: HttpRequest, reference: str, prefix: str) -> HttpResponse:
    application = access_application(request.user, reference)
    _reviewer_only(request)
    form = DecisionForm(request.POST, prefix=prefix)
    name = f"{prefix}_form"
    if not form.is_valid():
        return _application_page(request, application, code=400, **{name: form})
    action = actions.approve if prefix == "approve" else actions.reject
    try:
        action(application, acting_user=request.user, reason=form.cleaned_data["reason"])
    except Refused as exc:
        form.add_error("reason", exc.message)
        application.refresh_from_db()
        return _application_page(request, application, code=exc.status, **{name: form})
    messages.success(
        request,
        _("Application approved; the certificate was issued.")
        if prefix == "approve"
        else _("Application rejected."),
    )
    return redirect("enrolment_application", reference=application.reference)


@never_cache
@login_required
@require_POST
def approve(request: HttpRequest, reference: str) -> HttpResponse:
    return _decide(request, reference, "approve")


@never_cache
@login_required
@require_POST
def reject(request: HttpRequest, reference: str) -> HttpResponse:
    return _decide(request, reference, "reject")


@never_cache
@login_required
@require_POST
def vouch(request: HttpRequest, reference: str) -> HttpResponse:
    application = access_application(request.user, reference)
    if not may_vouch(request.user):
        raise Http404
    form = VouchForm(request.POST)
    if not form.is_valid():
        return _application_page(request, application, code=400, vouch_form=form)
    try:
        actions.vouch(application, acting_user=request.user, reason=form.cleaned_data["reason"])
    except Refused as exc:
        form.add_error("reason", exc.message)
        return _application_page(request, application, code=exc.status, vouch_form=form)
    messages.success(request, _("You vouched for this group."))
    return redirect("enrolment_application", reference=application.reference)


def _organisation(request: HttpRequest, ref: str) -> Organisation:
    _reviewer_only(request)
    return get_object_or_404(Organisation, ref=ref)


def _organisation_page(
    request: HttpRequest, organisation: Organisation, *, code: int = 200, form: UpdateForm | None = None
) -> HttpResponse:
    return render(
        request,
        "enrolment/review_organisation.html",
        {
            "organisation": organisation,
            "items": vault.contents(organisation),
            "update_form": form or UpdateForm(initial=_initial(organisation)),
            "applications": organisation.applications.order_by("-submitted_at"),
        },
        status=code,
    )


@never_cache
@login_required
@require_GET
def review_organisation(request: HttpRequest, ref: str) -> HttpResponse:
    return _organisation_page(request, _organisation(request, ref))


@never_cache
@login_required
@require_POST
def review_organisation_update(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = _organisation(request, ref)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        return _organisation_page(request, organisation, code=400, form=form)
    changed = actions.update_organisation(organisation, acting_user=request.user, **form.changes())
    messages.success(request, _("Details saved.") if changed else _("Nothing changed."))
    return redirect("enrolment_organisation", ref=organisation.ref)


@never_cache
@login_required
@require_GET
def review_vault_download(request: HttpRequest, ref: str, public_id: str) -> HttpResponseBase:
    organisation = _organisation(request, ref)
    item = organisation.vault_items.filter(public_id=public_id).first()
    if item is None:
        raise Http404
    return evidence.download(item.public_id, vault.open_item(item, acting_user=request.user),
                             fallback_name="file")
