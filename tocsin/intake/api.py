"""The intake JSON API: the same report and the same validation as the form."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Router

from tocsin.cases.forms import ReporterMessageForm
from tocsin.server import snapshots

from . import actions, followup
from .forms import ReportForm
from .routing import NoResponders, any_responder

router = Router(tags=["reports"])

# JSON names for the form fields that are nested objects in JSON.
NESTED = {
    "items_seized": {"count": "items_seized_count", "kind": "items_seized_kind"},
    "contact": {"kind": "contact_kind", "value": "contact"},
}
JSON_NAME = {form: f"{outer}.{inner}" for outer, inner_map in NESTED.items()
             for inner, form in inner_map.items()}
SCALARS = ["occurred_on", "country", "locality", "perpetrator_type", "perpetrator_name",
           "company", "organisation", "narrative"]
KNOWN = {"act_types", "language", *SCALARS, *NESTED}

REPORT_SCHEMA = {
    "type": "object",
    "required": ["act_types", "occurred_on", "country", "narrative"],
    "properties": {
        "act_types": {"type": "array", "items": {"type": "string", "enum": [
            "raid", "seizure", "inspection", "summons", "charge", "blocking", "other"]}},
        "occurred_on": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "locality": {"type": "string"},
        "perpetrator_type": {"type": "string", "enum": [
            "police", "prosecutor", "inspectorate", "company_lawyer", "other"]},
        "perpetrator_name": {"type": "string"},
        "company": {"type": "string"},
        "items_seized": {"type": "object", "properties": {
            "count": {"type": "integer", "minimum": 0}, "kind": {"type": "string"}}},
        "organisation": {"type": "string"},
        "contact": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["signal", "email", "phone"]},
            "value": {"type": "string"}}},
        "narrative": {"type": "string"},
        "language": {"type": "string", "enum": ["en", "ru"]},
    },
}


class BadRequest(Exception):
    def __init__(self, errors: dict[str, list[str]], status: int = 400) -> None:
        self.errors, self.status = errors, status


def _error(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": _("The report was not accepted."), "errors": errors}, status=status)


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest({name: [_("Must be text.")]})
    return value


def _from_json(body: bytes) -> tuple[MultiValueDict[str, str], str | None]:
    """Turn a JSON report into the form's fields, refusing wrong types by name.

    The fields are a plain ``MultiValueDict``, all the form reads: a
    ``QueryDict`` would decode every key and value as if it were bytes."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest({"__all__": [_("The body is not valid UTF-8.")]}) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest({"__all__": [_("The body is not valid JSON (line %(line)s, column "
                                        "%(col)s).") % {"line": exc.lineno, "col": exc.colno}]}) from None
    except (ValueError, RecursionError):
        # Python refuses integers of more than 4,300 digits and nesting deeper
        # than its recursion limit; both fit in the body limit, neither is a report.
        raise BadRequest({"__all__": [_("The body is not valid JSON: a number is too long or "
                                        "the nesting is too deep.")]}) from None
    if not isinstance(document, dict):
        raise BadRequest({"__all__": [_("The body must be a JSON object.")]})
    unknown = sorted(set(document) - KNOWN)
    if unknown:
        raise BadRequest({name: [_("Unknown field.")] for name in unknown})
    data: MultiValueDict[str, str] = MultiValueDict()
    act_types = document.get("act_types")
    if act_types is not None:
        if not isinstance(act_types, list) or not all(isinstance(a, str) for a in act_types):
            raise BadRequest({"act_types": [_("Must be a list of act types.")]})
        data.setlist("act_types", act_types)
    for name in SCALARS:
        data[name] = _text(name, document.get(name))
    for outer, inner_map in NESTED.items():
        value = document.get(outer)
        if value is None:
            continue
        if not isinstance(value, dict) or set(value) - set(inner_map):
            raise BadRequest({outer: [_("Must be an object with the fields %(fields)s.")
                                      % {"fields": ", ".join(inner_map)}]})
        for inner, form_name in inner_map.items():
            item = value.get(inner)
            if form_name == "items_seized_count":
                if item is not None and (not isinstance(item, int) or isinstance(item, bool)):
                    raise BadRequest({f"{outer}.{inner}": [_("Must be a whole number.")]})
                data[form_name] = "" if item is None else str(item)
            else:
                data[form_name] = _text(f"{outer}.{inner}", item)
    return data, _text("language", document.get("language")) or None


# Multipart carries the HTML form's field names; evidence goes in ``files``.
MULTIPART_TEXT = {name for name in ReportForm.base_fields if name != "files"} | {"language"}


def _refuse_unknown_parts(request: HttpRequest) -> None:
    """The form would drop a part it does not know without a word: a contact
    sent under the wrong name, or evidence sent as ``file``. Say so instead."""
    unknown = sorted((set(request.POST) - MULTIPART_TEXT) | (set(request.FILES) - {"files"}))
    if unknown:
        raise BadRequest({name: [_("Unknown field.")] for name in unknown})


def _language(requested: str | None) -> str:
    if requested is None:
        return translation.get_language() or "en"
    if requested not in {"en", "ru"}:
        raise BadRequest({"language": [_("Must be “en” or “ru”.")]})
    translation.activate(requested)
    return requested


@router.post(
    "/reports", url_name="report_create", summary="Submit a report",
    openapi_extra={
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": REPORT_SCHEMA},
            "multipart/form-data": {"schema": {"type": "object", "description": (
                "The HTML form's fields: act_types (repeated), occurred_on, country, locality, "
                "perpetrator_type, perpetrator_name, company, items_seized_count, "
                "items_seized_kind, organisation, contact_kind, contact, narrative, language, "
                "and files (repeated)."), "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
        }},
        "responses": {
            "201": {"description": "Stored. The receipt is shown only now."},
            "400": {"description": "Invalid; `errors` names each field."},
            "413": {"description": "Too large."},
            "503": {"description": "No responder could read the report yet."},
        },
    },
)
def create_report(request: HttpRequest) -> JsonResponse:
    # Whether anyone can read the report is asked once, by routing it inside
    # submit_report (a separate check first would cost every report a query).
    data: MultiValueDict[str, str]
    try:
        if request.content_type == "multipart/form-data":
            _refuse_unknown_parts(request)
            data, files = request.POST, request.FILES
            language = _language(request.POST.get("language") or None)
        elif request.content_type == "application/json":
            data, requested = _from_json(request.body)
            files = MultiValueDict()
            language = _language(requested)
        else:
            return _error({"__all__": [_("Send application/json or multipart/form-data.")]}, 415)
    except BadRequest as exc:
        return _error(exc.errors, exc.status)
    form = ReportForm(data, files, language=language)
    if not form.is_valid():
        json_errors = request.content_type == "application/json"
        errors = {JSON_NAME.get(name, name) if json_errors else name: [str(m) for m in messages]
                  for name, messages in form.errors.items()}
        return _error(errors, 413 if form.too_large() else 400)
    try:
        submitted = actions.submit_report(form.to_input())
    except NoResponders:
        if not any_responder():
            return JsonResponse({"detail": _("Nobody can receive reports yet.")}, status=503)
        return JsonResponse({"detail": _("Nobody can receive reports from this country yet.")},
                            status=503)
    except snapshots.Stale:
        return JsonResponse({"detail": _("The responders' directory is being changed. Send the report "
                                         "again in a moment.")}, status=503)
    response = JsonResponse({"receipt": submitted.receipt, "reference": submitted.case.reference},
                            status=201)
    response["Cache-Control"] = "no-store"
    return response


RECEIPT_HEADER = [{"in": "header", "name": "Authorization", "required": True,
                   "schema": {"type": "string"}, "description": "Receipt <code>"}]


def _with_receipt(request: HttpRequest) -> followup.Followup | JsonResponse:
    """The report the ``Authorization: Receipt`` header opens, or the answer refusing it."""
    scheme, _sep, receipt = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "receipt" or not receipt.strip():
        return JsonResponse({"detail": _("Send the header Authorization: Receipt <your receipt>.")},
                            status=401)
    try:
        return followup.open_with_receipt(request, receipt.strip())
    except followup.TooManyGuesses:
        return JsonResponse({"detail": _("Too many wrong receipts. Wait a minute and try again.")},
                            status=429)
    except followup.WrongReceipt:
        return JsonResponse({"detail": _("No report has this receipt.")}, status=404)


def _message(message: Any) -> dict[str, str]:
    return {"direction": message.direction, "sent_at": message.sent_at.isoformat(), "body": message.body}


@router.get("/reports/status", url_name="report_status", summary="A report's status and messages",
            openapi_extra={"parameters": RECEIPT_HEADER})
def report_status(request: HttpRequest) -> JsonResponse:
    found = _with_receipt(request)
    if isinstance(found, JsonResponse):
        return found
    case = found.case
    response = JsonResponse({
        "reference": case.reference,
        "status": case.status,
        "status_text": str(case.get_status_display()),
        "messages": [_message(m) for m in found.messages],
    })
    response["Cache-Control"] = "no-store"
    return response


def _message_body(request: HttpRequest) -> str:
    """The ``body`` of a JSON message, validated as the follow-up page does; ``BadRequest`` names it."""
    if request.content_type != "application/json":
        raise BadRequest({"body": [_("Send the message as application/json: {\"body\": \"…\"}.")]}, 415)
    try:
        document = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest({"body": [_("The body is not valid UTF-8.")]}) from None
    except (ValueError, RecursionError):
        raise BadRequest({"body": [_("The request is not valid JSON. Send {\"body\": \"your message\"}.")]}) \
            from None
    if not isinstance(document, dict):
        raise BadRequest({"body": [_("Send a JSON object: {\"body\": \"your message\"}.")]})
    unknown = sorted(set(document) - {"body"})
    if unknown:
        raise BadRequest({name: [_("Unknown field.")] for name in unknown})
    if "body" in document and not isinstance(document["body"], str):
        raise BadRequest({"body": [_("Must be text.")]})
    form = ReporterMessageForm({"body": document.get("body", "")})
    if not form.is_valid():
        raise BadRequest({"body": [str(message) for message in form.errors["body"]]})
    body: str = form.cleaned_data["body"]
    return body


@router.post(
    "/reports/messages", url_name="report_message", summary="The reporter answers the responders",
    openapi_extra={
        "parameters": RECEIPT_HEADER,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["body"], "additionalProperties": False,
            "properties": {"body": {"type": "string", "maxLength": 10_000}}}}}},
        "responses": {
            "201": {"description": "Stored, encrypted; the message as the status API shows it."},
            "400": {"description": "Invalid; `errors` names the field."},
            "401": {"description": "No `Authorization: Receipt` header."},
            "404": {"description": "No report has this receipt."},
            "415": {"description": "Not JSON."},
            "429": {"description": "Too many wrong receipts from this client."},
        },
    },
)
def report_message(request: HttpRequest) -> JsonResponse:
    found = _with_receipt(request)
    if isinstance(found, JsonResponse):
        return found
    try:
        body = _message_body(request)
    except BadRequest as exc:
        return JsonResponse({"detail": _("The message was not accepted."), "errors": exc.errors},
                            status=exc.status)
    answered = followup.answer(found, body)
    response = JsonResponse(_message(answered.messages[-1]), status=201)
    response["Cache-Control"] = "no-store"
    return response
