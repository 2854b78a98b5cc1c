"""Who can open a case: the readers, granting and revoking.

Every view here asks for the password again when the session last proved
who its owner is too long ago (``recent_auth_required``): a stolen, still
logged-in laptop must not be enough to hand cases to someone else. After
re-authenticating, the responder comes back by GET, so the grant and revoke
addresses answer GET with the access page rather than an error."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tocsin.accounts.models import Team, User
from tocsin.accounts.reauth import recent_auth_required

from .. import actions, forms
from ..access import access_case, case_key
from ..errors import Refused
from ..models import Case, CaseKey


def render_access(request: HttpRequest, case: Case, *, status: int = 200, **bound: Any) -> HttpResponse:
    readers = (CaseKey.objects.filter(case=case).select_related("user")
               .prefetch_related("user__memberships__team").order_by("user__username"))
    context: dict[str, Any] = {
        "case": case,
        "readers": [key.user for key in readers],
        "teams": Team.objects.order_by("name").values_list("name", flat=True),
        "grant_form": forms.GrantForm(),
        "revoke_form": forms.RevokeForm(),
    }
    context.update(bound)
    return render(request, "cases/access.html", context, status=status)


@never_cache
@login_required
@recent_auth_required
@require_http_methods(["GET"])
def access(request: HttpRequest, reference: str) -> HttpResponse:
    return render_access(request, access_case(request.user, reference))


@never_cache
@login_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def grant(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    if request.method != "POST":
        return redirect("cases:access", reference=case.reference)
    form = forms.GrantForm(request.POST)
    if not form.is_valid():
        return render_access(request, case, status=400, grant_form=form)
    try:
        if form.cleaned_data["user"]:
            user = actions.find_responder(form.cleaned_data["user"])
            new = actions.grant(case, case_key(request, case), user=user, acting_user=request.user)
        else:
            team = actions.find_team(form.cleaned_data["team"])
            new = actions.grant(case, case_key(request, case), team=team, acting_user=request.user)
    except Refused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render_access(request, case, status=exc.status, grant_form=form)
    messages.success(request, _("These responders can now open the case: %(names)s.")
                     % {"names": ", ".join(reader.username for reader in new)})
    return redirect("cases:access", reference=case.reference)


@never_cache
@login_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    if request.method != "POST":
        return redirect("cases:access", reference=case.reference)
    form = forms.RevokeForm(request.POST)
    if not form.is_valid():
        return render_access(request, case, status=400, revoke_form=form)
    try:
        reader = User.objects.filter(username=form.cleaned_data["user"]).first()
        if reader is None:
            raise Refused("user", _("Nobody called “%(name)s” can open this case.")
                          % {"name": form.cleaned_data["user"][:150]})
        actions.revoke(case, reader, acting_user=request.user)
    except Refused as exc:
        form.add_error("user", exc.message)
        return render_access(request, case, status=exc.status, revoke_form=form)
    messages.success(request, _("%(name)s can no longer open the case.") % {"name": reader.username})
    return redirect("cases:access", reference=case.reference)
