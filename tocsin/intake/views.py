"""The reporter's pages: the report form, the receipt, and the follow-up."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tocsin.cases.forms import ReporterMessageForm
from tocsin.crypto import receipts
from tocsin.server import snapshots

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
    except (NoResponders, snapshots.Stale):
        return _unavailable(request)
    return render(request, "intake/receipt.html", {
        "receipt": submitted.receipt, "reference": submitted.case.reference,
    }, status=201)


@never_cache
@sensitive_post_parameters("receipt", "body")
@require_http_methods(["GET", "POST"])
def followup_page(request: HttpRequest) -> HttpResponse:
    """The receipt opens the report; the reporter reads and answers on the same page.

    The receipt travels back with each answer in a hidden field of the POST
    form: never in a URL (history, logs, Referer), a cookie or the session,
    so nothing on the server or in the browser's storage keeps it. The page
    is never cached."""
    # Every name the template reads, always: Django logs a missing one at DEBUG
    # with the whole context, which here holds the receipt and the messages.
    context: dict[str, Any] = {"found": None, "receipt": "", "reply_form": None, "sent": False,
                               "throttled": False, "wrong": False}
    if request.method != "POST":
        return render(request, "intake/followup.html", context)
    receipt = request.POST.get("receipt", "")
    try:
        found = followup.open_with_receipt(request, receipt)
    except followup.TooManyGuesses:
        return render(request, "intake/followup.html", {**context, "throttled": True}, status=429)
    except followup.WrongReceipt:
        return render(request, "intake/followup.html", {**context, "wrong": True}, status=404)
    context.update(found=found, receipt=receipts.format_receipt(receipts.normalise(receipt)),
                   reply_form=ReporterMessageForm())
    if "body" not in request.POST:
        return render(request, "intake/followup.html", context)
    form = ReporterMessageForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/followup.html", {**context, "reply_form": form}, status=400)
    found = followup.answer(found, form.cleaned_data["body"])
    return render(request, "intake/followup.html", {**context, "found": found, "sent": True})
