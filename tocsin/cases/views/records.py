"""What responders add to a case: messages to the reporter, interventions, referrals."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import actions, forms
from ..access import access_case, case_key
from ..errors import Refused
from .common import done, invalid, refused
from .pages import render_case


@never_cache
@login_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.MessageForm(request.POST)
    if not form.is_valid():
        return invalid(request, case, "reply_form", form)
    actions.send_to_reporter(case, case_key(request, case), form.cleaned_data["body"],
                             acting_user=request.user)
    return redirect("cases:case", reference=reference)


@never_cache
@login_required
@require_POST
def intervention(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.InterventionForm(request.POST)
    if not form.is_valid():
        return invalid(request, case, "intervention_form", form)
    data = form.cleaned_data
    try:
        actions.record_intervention(
            case, case_key(request, case), kind=data["kind"], happened_on=data["happened_on"],
            seized_on=data["seized_on"], note=data["note"], acting_user=request.user,
        )
    except Refused as exc:
        return refused(request, case, "intervention_form", form, exc)
    return done(request, case, _("Intervention recorded."))


@never_cache
@login_required
@require_POST
def referral(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = forms.ReferralForm(request.POST)
    if not form.is_valid():
        return invalid(request, case, "referral_form", form)
    data = form.cleaned_data
    try:
        actions.refer(case, case_key(request, case), partner=data["partner"], note=data["note"],
                      follow_up_on=data["follow_up_on"], acting_user=request.user)
    except Refused as exc:
        return refused(request, case, "referral_form", form, exc)
    return done(request, case, _("Referral recorded; a reminder is due on %(date)s.")
                % {"date": data["follow_up_on"].isoformat()})


@never_cache
@login_required
@require_POST
def referral_followed_up(request: HttpRequest, reference: str, public_id: str) -> HttpResponse:
    case = access_case(request.user, reference)
    try:
        actions.close_referral(case, public_id, acting_user=request.user)
    except Refused as exc:
        if exc.status == 404:
            raise Http404 from None
        return render_case(request, case, status=exc.status, referral_error=exc.message)
    return done(request, case, _("Referral marked as followed up."))
