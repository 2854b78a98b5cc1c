"""The public list of authorised counsel, with a search box. No login, no script, nothing stored."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import lookup


@require_GET
def counsel_list(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"counsel": lookup.authorised_now(), "name": "", "answer": None}
    status = 200
    if "name" in request.GET:
        context["name"] = request.GET["name"][: lookup.NAME_MAX + 1]
        try:
            context["answer"] = lookup.check(lookup.checked_name(request.GET["name"]))
        except lookup.BadName as exc:
            context["error"], status = exc.message, 400
    return render(request, "counsel/list.html", context, status=status)
