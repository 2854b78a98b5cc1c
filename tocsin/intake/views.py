"""The reporter's pages: the report form, the receipt, and the follow-up."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import actions, followup
from .forms import ReportForm
from .routing import NoResponders, any_responder


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/unavailable.html", status=503)


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if not any_responder():
        return _unavailable(request)
    language = get_language() or "en"
    if request.method != "POST":
        return render(request, "intake/report.html", {"form": ReportForm(language=language)})
    form = ReportForm(request.POST, request.FILES, language=language)
    if not form.is_valid():
        status = 413 if form.too_large() else 400
        return render(request, "intake/report.html", {"form": form}, status=status)
    try:
        submitted = actions.submit_report(form.to_input())
    except NoResponders:
        return _unavailable(request)
    return render(request, "intake/receipt.html", {
        "receipt": submitted.receipt, "reference": submitted.case.reference,
    }, status=201)


@never_cache
@require_http_methods(["GET", "POST"])
def followup_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "intake/followup.html", {})
    try:
        found = followup.open_with_receipt(request, request.POST.get("receipt", ""))
    except followup.TooManyGuesses:
        return render(request, "intake/followup.html", {"throttled": True}, status=429)
    except followup.WrongReceipt:
        return render(request, "intake/followup.html", {"wrong": True}, status=404)
    return render(request, "intake/followup.html", {"found": found})
