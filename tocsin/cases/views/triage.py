"""Moving a case on, and triage: severity, assignment, labels. Plain forms, one button each.

A refused form shows the case page again, decrypted, with the error beside
the field: so these answers, like the page itself, are never cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import actions, forms
from ..access import access_case, case_key
from ..errors import Refused
from ..models import Severity, Status
from .common import done, invalid, refused
from .pages import readers_of


@never_cache
@login_required
@require_POST
def transition(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        return invalid(request, case, "transition_form", form)
    referral = form.referral()
    try:
        actions.transition(
            case, form.cleaned_data["to_state"], acting_user=request.user,
            expected_state=form.cleaned_data["from_state"] or None, referral=referral,
            # Only a referral's note needs the key; other moves work without one.
            case_key=case_key(request, case) if referral is not None else None,
        )
    except Refused as exc:
        return refused(request, case, "transition_form", form, exc)
    return done(request, case, _("The case is now: %(state)s.") % {"state": Status(case.status).label})


@never_cache
@login_required
@require_POST
def severity(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.SeverityForm(request.POST)
    if not form.is_valid():
        return invalid(request, case, "severity_form", form)
    try:
        actions.change_severity(case, form.cleaned_data["severity"], acting_user=request.user)
    except Refused as exc:
        return refused(request, case, "severity_form", form, exc)
    return done(request, case, _("Severity: %(severity)s.") % {"severity": Severity(case.severity).label})


@never_cache
@login_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.AssignForm(request.POST, readers=readers_of(case))
    if not form.is_valid():
        return invalid(request, case, "assign_form", form)
    try:
        actions.assign(case, form.cleaned_data["assignee"], acting_user=request.user)
    except Refused as exc:
        return refused(request, case, "assign_form", form, exc)
    if case.assignee is None:
        return done(request, case, _("Nobody is assigned to the case."))
    return done(request, case, _("Assigned to %(name)s.") % {"name": case.assignee.username})


@never_cache
@login_required
@require_POST
def labels(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.LabelsForm(request.POST)
    if not form.is_valid():
        return invalid(request, case, "labels_form", form)
    actions.set_labels(case, form.cleaned_data["labels"], acting_user=request.user)
    return done(request, case, _("Labels saved."))
