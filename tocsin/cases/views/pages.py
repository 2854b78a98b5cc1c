"""The responder's pages: the inbox, a case, its evidence, its export, and time in each state."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tocsin.accounts.reauth import recent_auth_required
from tocsin.crypto import boxes
from tocsin.intake import evidence as evidence_store

from .. import actions, forms, workflow
from ..access import access_case, case_key, visible_cases
from ..models import Case, CaseKey, CaseTransition, Status


@never_cache
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request.user).select_related("team", "assignee")[:200]  # type: ignore[arg-type]
    return render(request, "cases/inbox.html", {"cases": cases})


def readers_of(case: Case) -> list[str]:
    return list(CaseKey.objects.filter(case=case, user__is_active=True).order_by("user__username")
                .values_list("user__username", flat=True))


def render_case(request: HttpRequest, case: Case, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The case page, decrypted in this session. A form that failed comes in
    ``bound`` and is shown with its errors in place of the empty one."""
    try:
        opened = actions.open_case(case, case_key(request, case), acting_user=request.user)
    except boxes.DecryptionError:
        actions.record_integrity_failure(case, acting_user=request.user)
        return render(request, "cases/integrity_failure.html", {"case": case}, status=409)
    readers = readers_of(case)
    allowed = workflow.allowed_from(case.status)
    context: dict[str, Any] = {
        "opened": opened,
        "allowed": [(state, Status(state).label) for state in allowed if state != Status.OUT_OF_MANDATE],
        "may_refer_out": Status.OUT_OF_MANDATE in allowed,
        "states": [(state, Status(state).label, opened.time_in_states.get(state))
                   for state in Status.values if state in opened.time_in_states],
        "readers": readers,
        "reply_form": forms.MessageForm(),
        "transition_form": forms.TransitionForm(initial={"from_state": case.status}),
        "severity_form": forms.SeverityForm(initial={"severity": case.severity}),
        "assign_form": forms.AssignForm(readers=readers, initial={
            "assignee": case.assignee.username if case.assignee else ""}),
        "labels_form": forms.LabelsForm(initial={"labels": ", ".join(case.labels)}),
        "intervention_form": forms.InterventionForm(initial={"happened_on": timezone.now().date()}),
        "referral_form": forms.ReferralForm(),
        # Every name the template reads must be here: Django logs a missing one
        # at DEBUG with the whole context, decrypted report included.
        "referral_error": None,
    }
    context.update(bound)
    return render(request, "cases/case.html", context, status=status)


@never_cache
@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return render_case(request, access_case(request.user, reference))


@never_cache
@login_required
def evidence(request: HttpRequest, reference: str, public_id: str) -> StreamingHttpResponse:
    """Stream a file decrypted, as a download: never rendered inline, since a
    document from an adversary may be crafted to attack a browser."""
    case = access_case(request.user, reference)
    item = case.evidence.filter(public_id=public_id).first()
    if item is None:
        raise Http404
    meta = actions.open_evidence(case, item, case_key(request, case), acting_user=request.user)
    return evidence_store.download(item.public_id, meta, fallback_name="evidence")


@never_cache
@login_required
@recent_auth_required
@require_GET
def export(request: HttpRequest, reference: str) -> HttpResponse:
    """The whole case decrypted, as a JSON download. Asks for the password
    again first: this is the moment data leaves Tocsin's protection."""
    case = access_case(request.user, reference)
    document = actions.export_case(case, case_key(request, case), acting_user=request.user)
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{case.reference}.json")
    return response


@never_cache
@login_required
@require_GET
def state_times(request: HttpRequest) -> HttpResponse:
    """Median and mean time in each state over the cases this responder can open.

    Only plain columns are read (states and timestamps), so nothing is
    decrypted and nothing is logged."""
    now = timezone.now()
    cases = visible_cases(request.user).prefetch_related(  # type: ignore[arg-type]
        Prefetch("transitions", queryset=CaseTransition.objects.order_by("at", "id")))
    per_case = [workflow.time_in_states(case, case.transitions.all(), now) for case in cases]
    return render(request, "cases/state_times.html", {
        "figures": workflow.summarise(per_case), "case_count": len(per_case),
    })
