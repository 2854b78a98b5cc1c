"""What the case's form views share: a refused form goes back onto the case page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from ..errors import Refused
from ..models import Case
from .pages import render_case


def refused(request: HttpRequest, case: Case, name: str, form: forms.Form, exc: Refused) -> HttpResponse:
    """Show the case again with ``exc`` beside the field it names, nothing changed."""
    if exc.status == 404:
        raise Http404
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render_case(request, case, status=exc.status, **{name: form})


def invalid(request: HttpRequest, case: Case, name: str, form: forms.Form) -> HttpResponse:
    return render_case(request, case, status=400, **{name: form})


def done(request: HttpRequest, case: Case, notice: str) -> HttpResponse:
    """Back to the case page with a notice (never anything sensitive: notices travel in a cookie)."""
    messages.success(request, notice)
    return redirect("cases:case", reference=case.reference)
