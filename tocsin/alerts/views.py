"""Staff pages of alerting: the open timers, and the alerts the worker gave up on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import actions, outbox
from .models import Alert, Timer

PAGE_ROWS = 200


@dataclass(frozen=True)
class TimerRow:
    timer: Timer
    overdue: bool


@never_cache
@login_required
def timers(request: HttpRequest) -> HttpResponse:
    """Open timers of the cases this user can open, the soonest deadline first
    (so the most overdue case is at the top)."""
    now = timezone.now()
    open_timers = (Timer.objects.filter(stopped_at__isnull=True, case__keys__user=request.user)  # type: ignore[misc]
                   .select_related("case").order_by("deadline_at", "pk")[:PAGE_ROWS])
    rows = [TimerRow(timer, timer.deadline_at <= now) for timer in open_timers]
    return render(request, "alerts/timers.html", {"rows": rows, "now": now})


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in (else the login page), and an administrator (else "not found",
    as for a page that does not exist)."""
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class RetryForm(forms.Form):
    alerts = forms.ModelMultipleChoiceField(
        queryset=Alert.objects.filter(status=Alert.Status.DEAD), label=gettext_lazy("Alerts to try again"),
        error_messages={
            "required": gettext_lazy("Choose at least one alert to try again."),
            "invalid_choice": gettext_lazy("Alert %(value)s is not among the alerts given up on; "
                                           "reload the page to see the current list."),
            "invalid_pk_value": gettext_lazy("“%(pk)s” is not an alert number."),
        })


def _dead(request: HttpRequest, form: RetryForm | None = None) -> HttpResponse:
    dead = outbox.dead_letters()
    return render(request, "alerts/dead_letters.html",
                  {"rows": dead[:PAGE_ROWS], "total": dead.count(), "form": form},
                  status=400 if form is not None else 200)


@never_cache
@administrator_required
def dead_letters(request: HttpRequest) -> HttpResponse:
    return _dead(request)


@never_cache
@administrator_required
@require_POST
def retry(request: HttpRequest) -> HttpResponse:
    """No re-authentication asked: sending again an alert that carries no
    sensitive field, to a channel already configured, exposes nothing, and an
    administrator mending a broken channel at night should not be slowed."""
    form = RetryForm(request.POST)
    if not form.is_valid():
        return _dead(request, form)
    count = actions.retry_dead_letters(form.cleaned_data["alerts"], acting_user=request.user)
    messages.success(request, ngettext("%(count)d alert will be tried again.",
                                       "%(count)d alerts will be tried again.", count) % {"count": count})
    return redirect("alerts:dead_letters")
