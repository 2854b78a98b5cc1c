"""The demand register's staff pages, under /staff/demands/.

Login and the second factor come first (``login_required`` and the
second-factor middleware, as for every staff page); then ``access_demand``
answers "not found" for a demand the responder's teams do not hold. Someone
in no team at all -- an administrator, say -- has no register to see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.reauth import recent_auth_required
from tocsin.cases.access import visible_cases
from tocsin.cases.errors import Refused
from tocsin.intake.forms import latest_today

from . import actions, forms
from .access import access_demand, is_headquarters, teams_of, visible_demands
from .models import Demand


def _teams(request: HttpRequest) -> Any:
    teams = teams_of(request.user)
    if not teams.exists():
        raise Http404
    return teams


@never_cache
@login_required
def register(request: HttpRequest) -> HttpResponse:
    _teams(request)
    demands = visible_demands(request.user).select_related("team")[:500]
    return render(request, "demands/register.html", {"demands": demands})


@never_cache
@login_required
def new(request: HttpRequest) -> HttpResponse:
    teams = _teams(request)
    if request.method != "POST":
        form = forms.DemandForm(teams=teams, initial={"received_on": latest_today()})
        return render(request, "demands/new.html", {"form": form})
    form = forms.DemandForm(request.POST, teams=teams)
    if not form.is_valid():
        return render(request, "demands/new.html", {"form": form}, status=400)
    try:
        demand = actions.record_demand(acting_user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except Refused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render(request, "demands/new.html", {"form": form}, status=exc.status)
    messages.success(request, _("Demand %(reference)s recorded.") % {"reference": demand.reference})
    return redirect("demands:demand", reference=demand.reference)


def render_demand(request: HttpRequest, demand: Demand, *, status: int = 200,
                  **bound: django_forms.Form) -> HttpResponse:
    details = actions.open_demand(demand, acting_user=request.user)  # type: ignore[arg-type]
    readable = set(visible_cases(request.user).filter(demands=demand)  # type: ignore[arg-type]
                   .values_list("reference", flat=True))
    context: dict[str, Any] = {
        "demand": demand,
        "details": details,
        "needs_approval": demand.touches_civil_society(),
        "headquarters": is_headquarters(request.user),
        "organisations": demand.organisations.order_by("name"),
        "cases": [(case.reference, case.reference in readable)
                  for case in demand.cases.order_by("reference")],
        "organisation_form": forms.OrganisationForm(),
        "case_form": forms.CaseForm(),
        "approval_form": forms.ApprovalForm(),
        "response_form": forms.ResponseForm(initial={
            "outcome": demand.outcome, "responded_on": demand.responded_on or latest_today(),
            "response": details.response}),
        **bound,
    }
    return render(request, "demands/demand.html", context, status=status)


@never_cache
@login_required
def demand_page(request: HttpRequest, reference: str) -> HttpResponse:
    return render_demand(request, access_demand(request.user, reference))


def _refused(request: HttpRequest, demand: Demand, name: str, form: django_forms.Form,
             exc: Refused) -> HttpResponse:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render_demand(request, demand, status=exc.status, **{name: form})


def _done(request: HttpRequest, demand: Demand, notice: str) -> HttpResponse:
    messages.success(request, notice)
    return redirect("demands:demand", reference=demand.reference)


@never_cache
@login_required
def edit(request: HttpRequest, reference: str) -> HttpResponse:
    demand = access_demand(request.user, reference)
    if request.method != "POST":
        details = actions.open_demand(demand, acting_user=request.user)  # type: ignore[arg-type]
        initial = {name: getattr(demand, name) for name in
                   ("agency", "legal_basis", "delivery", "type", "received_on", "due_on", "flagged")}
        form = forms.DetailsForm(initial={**initial, "official": details.official, "scope": details.scope})
        return render(request, "demands/edit.html", {"demand": demand, "form": form})
    form = forms.DetailsForm(request.POST)
    if not form.is_valid():
        return render(request, "demands/edit.html", {"demand": demand, "form": form}, status=400)
    try:
        actions.update_demand(demand, acting_user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except Refused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render(request, "demands/edit.html", {"demand": demand, "form": form}, status=exc.status)
    return _done(request, demand, _("Demand updated."))


def _form_post(request: HttpRequest, reference: str, form_class: type[django_forms.Form], name: str,
               act: Callable[[Demand, dict[str, Any]], str]) -> HttpResponse:
    """The shape of every form on a demand's page: find the demand, validate
    the form named ``name``, ``act`` on it (returning the notice to show), and
    on a refusal show the page again with the form and the reason."""
    demand = access_demand(request.user, reference)
    form = form_class(request.POST)
    if not form.is_valid():
        return render_demand(request, demand, status=400, **{name: form})
    try:
        notice = act(demand, form.cleaned_data)
    except Refused as exc:
        return _refused(request, demand, name, form, exc)
    return _done(request, demand, notice)


@never_cache
@login_required
@require_POST
def link_organisation(request: HttpRequest, reference: str) -> HttpResponse:
    def act(demand: Demand, data: dict[str, Any]) -> str:
        organisation = actions.link_organisation(demand, data["organisation"],
                                                 acting_user=request.user)  # type: ignore[arg-type]
        return _("%(name)s linked.") % {"name": organisation.name}

    return _form_post(request, reference, forms.OrganisationForm, "organisation_form", act)


@never_cache
@login_required
@require_POST
def unlink_organisation(request: HttpRequest, reference: str) -> HttpResponse:
    def act(demand: Demand, data: dict[str, Any]) -> str:
        actions.unlink_organisation(demand, data["organisation"], acting_user=request.user)  # type: ignore[arg-type]
        return _("Organisation unlinked.")

    return _form_post(request, reference, forms.OrganisationForm, "organisation_form", act)


@never_cache
@login_required
@require_POST
def link_case(request: HttpRequest, reference: str) -> HttpResponse:
    def act(demand: Demand, data: dict[str, Any]) -> str:
        actions.link_case(demand, data["case"], acting_user=request.user)  # type: ignore[arg-type]
        return _("Case linked.")

    return _form_post(request, reference, forms.CaseForm, "case_form", act)


@never_cache
@login_required
@require_POST
def request_approval(request: HttpRequest, reference: str) -> HttpResponse:
    demand = access_demand(request.user, reference)
    try:
        actions.request_approval(demand, acting_user=request.user)  # type: ignore[arg-type]
    except Refused as exc:
        return _refused(request, demand, "approval_form", forms.ApprovalForm(), exc)
    return _done(request, demand, _("Headquarters has been asked to approve."))


@never_cache
@login_required
@recent_auth_required
@require_POST
def approve(request: HttpRequest, reference: str) -> HttpResponse:
    def act(demand: Demand, data: dict[str, Any]) -> str:
        actions.approve(demand, note=data["note"], acting_user=request.user)  # type: ignore[arg-type]
        return _("Approved. Local counsel may now respond.")

    return _form_post(request, reference, forms.ApprovalForm, "approval_form", act)


@never_cache
@login_required
@require_POST
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    def act(demand: Demand, data: dict[str, Any]) -> str:
        actions.respond(demand, acting_user=request.user, **data)  # type: ignore[arg-type]
        return _("Response recorded.")

    return _form_post(request, reference, forms.ResponseForm, "response_form", act)


@never_cache
@login_required
@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    demand = access_demand(request.user, reference)
    try:
        actions.close(demand, acting_user=request.user)  # type: ignore[arg-type]
    except Refused as exc:
        return render_demand(request, demand, status=exc.status, close_error=exc.message)  # type: ignore[arg-type]
    return _done(request, demand, _("Demand closed."))
