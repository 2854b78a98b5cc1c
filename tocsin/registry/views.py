"""The public self-check: "Am I covered?"

Threat model: asking whether one is covered already tells something about a
group (its kind, country, funding). So the page stores nothing: no database
row, no session, no log line with the answers. The form is POSTed, so the
answers never sit in a URL (server and proxy access logs, browser history,
Referer); the POST parameters are marked sensitive so an error report cannot
carry them; and the page is never cached. It needs no login and no
JavaScript.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tocsin.registry.eligibility import current_rules, evaluate
from tocsin.registry.forms import CoveredForm


def _enrol_url() -> str:
    # Enrolment lives in its own app; the self-check must work without it.
    try:
        return reverse("enrol")
    except NoReverseMatch:
        return "/enrol/"


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def covered(request: HttpRequest) -> HttpResponse:
    rules = current_rules()
    # Every name the template reads, always: Django logs a missing template
    # variable at DEBUG together with the context, which holds the answers.
    context = {"rules": rules, "decision": None, "enrol_url": _enrol_url()}
    if request.method != "POST":
        return render(request, "registry/covered.html", {**context, "form": CoveredForm(rules=rules)})
    form = CoveredForm(request.POST, rules=rules)
    if not form.is_valid():
        return render(request, "registry/covered.html", {**context, "form": form}, status=400)
    decision = evaluate(form.facts(), rules)
    return render(request, "registry/covered.html", {**context, "form": form, "decision": decision})
