"""Asking for the password and a fresh code again before sensitive actions
(granting access, exporting).

The session records when its owner last proved who they are (a login once
its second factor is in, or /accounts/reauth/); a sensitive view refuses
sessions older than ``settings.REAUTH_SECONDS`` and sends the responder to
re-authenticate first, then back to where they were."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_FIELD = "tocsin_authenticated_at"


def mark_authenticated(request: HttpRequest) -> None:
    request.session[SESSION_FIELD] = time.time()


def is_recent(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_FIELD)
    return isinstance(at, int | float) and time.time() - at <= settings.REAUTH_SECONDS


def recent_auth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_recent(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:reauth')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
