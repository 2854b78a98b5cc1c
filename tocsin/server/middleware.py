"""Request-level protections that must run before any view reads the body."""

from __future__ import annotations

import types
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.intake.uploads import parse_file_upload

# Room for the form fields and multipart framing around the files.
FRAMING_BYTES = 2 * 1024 * 1024


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _refuse(request: HttpRequest, status: int, message: Callable[[], str],
            field: str = "__all__") -> HttpResponse:
    """A refusal in the reporter's language. It comes before LocaleMiddleware
    has run, when the active language is whatever this thread served last, so
    the message is written (``message()``) only once the request's own is active."""
    with translation.override(translation.get_language_from_request(request)):
        text = message()
        if _wants_json(request):
            return JsonResponse({"detail": text, "errors": {field: [text]}}, status=status)
        return TemplateResponse(
            request, "refused.html", {"status": status, "message": text}, status=status
        ).render()


class BodyLimitMiddleware:
    """Answers 413 for bodies over the limit and 400 for broken multipart,
    before CSRF or a view would turn them into a generic error.

    Parsing happens here, up front, exactly as CsrfViewMiddleware would do it
    a moment later; the upload handler encrypts files as they arrive."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"POST", "PUT", "PATCH"}:
            refusal = self._read_body(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _read_body(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, lambda: _("The request's length is not a number."))
        if length > settings.MAX_REPORT_BYTES + FRAMING_BYTES:
            return _refuse(request, 413, lambda: _("The report is too large. The limit is %(mb)s MB.")
                           % {"mb": settings.MAX_REPORT_BYTES // (1024 * 1024)})
        request.parse_file_upload = types.MethodType(parse_file_upload, request)  # type: ignore[method-assign]
        try:
            if request.content_type == "multipart/form-data":
                request.POST  # noqa: B018 - parse (and encrypt uploads) now
            else:
                request.body  # noqa: B018 - enforce DATA_UPLOAD_MAX_MEMORY_SIZE now
        except RequestDataTooBig:
            return _refuse(request, 413, lambda: _("The text fields are too long. The limit is %(kb)s KB.")
                           % {"kb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024})
        except MultiPartParserError:
            return _refuse(request, 400,
                           lambda: _("The upload was cut off or malformed. Please send it again."))
        except TooManyFilesSent:
            limit = min(settings.MAX_FILES_PER_REPORT, settings.DATA_UPLOAD_MAX_NUMBER_FILES)
            return _refuse(request, 400, lambda: ngettext(
                "Too many files were attached. Attach at most %(n)s file.",
                "Too many files were attached. Attach at most %(n)s files.", limit) % {"n": limit},
                field="files")
        except TooManyFieldsSent:
            return _refuse(request, 400, lambda: _("The request has far more fields than the report form."))
        return None


class ContentSecurityPolicyMiddleware:
    """No scripts at all and nothing from a third party: pages work without
    JavaScript, and a stored-markup mistake cannot become script execution."""

    POLICY = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
