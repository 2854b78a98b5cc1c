"""Nothing but the way in for a session past the password and short of the code.

Deny by default: a session that is logged in but not yet verified by its
second factor reaches only the public pages (reporting, follow-up, language)
and the pages of the login itself; every other path, /staff/ and the
password page included, sends it to the code step. A staff page added later
is therefore covered without anyone remembering to decorate it, and no view
needs to know about the second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .second_factor import with_next

# Pages for reporters and the public; a half-logged-in responder may use them
# like anyone else.
PUBLIC_PREFIXES = ("/report/", "/followup/", "/i18n/", "/static/", "/verify/", "/transparency/",
                   "/covered/", "/enrol/", "/counsel/", "/attestations/",
                   "/api/v1/reports", "/api/v1/openapi.json", "/api/v1/attestations/", "/api/v1/counsel",
                   "/api/v1/screenings")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def _way_in(self) -> frozenset[str]:
        # Resolved on first use: the URLconf is not loaded when middleware is built.
        names = ["login", "logout", "second_factor", "enrol", "recover"]
        return frozenset({"/", *(reverse(f"accounts:{name}") for name in names)})

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path in self._way_in or path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[union-attr,attr-defined]
            # Only a GET is worth coming back to; a form posted half-logged-in is dropped.
            next_url = request.get_full_path() if request.method == "GET" else None
            return redirect(with_next("accounts:second_factor", next_url))
        return self.get_response(request)
