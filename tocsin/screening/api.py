"""``POST /api/v1/screenings``: the enforcement desk asks before acting.

The body is parsed by hand rather than by a schema so that every refusal
names its field in the same shape as the intake API's (``errors``), and so
that nothing of a refused query reaches a log or the database."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Router

from tocsin.server.wording import at_most_characters
from tocsin.tokens.auth import TokenAuth

from . import actions

router = Router(tags=["screening"])

LIMITS = {"name": 500, "address": 1000, "authority": 500, "legal_basis": 2000,
          "case_reference": 200}
IDENTIFIER_LIMIT = 64
IDENTIFIER_SCHEME_LIMIT = 32
MAX_IDENTIFIERS = 10

SCREENING_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "maxLength": LIMITS["name"],
                 "description": "The organisation's name as the paperwork writes it"},
        "identifiers": {"type": "object", "maxProperties": MAX_IDENTIFIERS,
                        "additionalProperties": {"type": "string", "maxLength": IDENTIFIER_LIMIT},
                        "description": "e.g. {\"inn\": \"7707083893\", \"ogrn\": \"1027700132195\"}"},
        "address": {"type": "string", "maxLength": LIMITS["address"]},
        "authority": {"type": "string", "maxLength": LIMITS["authority"]},
        "legal_basis": {"type": "string", "maxLength": LIMITS["legal_basis"]},
        "case_reference": {"type": "string", "maxLength": LIMITS["case_reference"]},
    },
}


class BadRequest(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


def _text(document: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = document.get(name)
    if value is None:
        if required:
            raise BadRequest({name: [_("This field is required.")]})
        return ""
    if not isinstance(value, str):
        raise BadRequest({name: [_("Must be text.")]})
    if "\x00" in value:
        raise BadRequest({name: [_("Must not contain NUL characters.")]})
    if len(value) > LIMITS[name]:
        raise BadRequest({name: [at_most_characters(LIMITS[name])]})
    if required and not value.strip():
        raise BadRequest({name: [_("This field is required.")]})
    return value.strip()


def _identifiers(document: dict[str, Any]) -> dict[str, str]:
    value = document.get("identifiers")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest({"identifiers": [_("Must be an object such as {\"inn\": \"…\"}.")]})
    if len(value) > MAX_IDENTIFIERS:
        too_many = ngettext("At most %(max)d identifier.", "At most %(max)d identifiers.", MAX_IDENTIFIERS)
        raise BadRequest({"identifiers": [too_many % {"max": MAX_IDENTIFIERS}]})
    result: dict[str, str] = {}
    for scheme, item in value.items():
        field = f"identifiers.{scheme[:IDENTIFIER_SCHEME_LIMIT]}"
        if not scheme.strip() or len(scheme) > IDENTIFIER_SCHEME_LIMIT:
            raise BadRequest({field: [ngettext("The identifier's name must be 1 to %(max)d character.",
                                               "The identifier's name must be 1 to %(max)d characters.",
                                               IDENTIFIER_SCHEME_LIMIT) % {"max": IDENTIFIER_SCHEME_LIMIT}]})
        if item is None:
            continue
        if not isinstance(item, str):
            raise BadRequest({field: [_("Must be text.")]})
        if len(item) > IDENTIFIER_LIMIT or "\x00" in item:
            raise BadRequest({field: [at_most_characters(IDENTIFIER_LIMIT)]})
        if item.strip():
            result[scheme.strip().lower()] = item.strip()
    return result


def parse(body: bytes) -> actions.ScreeningQuery:
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest({"__all__": [_("The body is not valid UTF-8.")]}) from None
    except json.JSONDecodeError as exc:
        raise BadRequest({"__all__": [_("The body is not valid JSON (line %(line)s, column "
                                        "%(col)s).") % {"line": exc.lineno, "col": exc.colno}]}) from None
    except (ValueError, RecursionError):
        raise BadRequest({"__all__": [_("The body is not valid JSON: a number is too long or "
                                        "the nesting is too deep.")]}) from None
    if not isinstance(document, dict):
        raise BadRequest({"__all__": [_("The body must be a JSON object.")]})
    unknown = sorted(set(document) - set(SCREENING_SCHEMA["properties"]))  # type: ignore[call-overload]
    if unknown:
        raise BadRequest({name[:64]: [_("Unknown field.")] for name in unknown[:10]})
    return actions.ScreeningQuery(
        name=_text(document, "name", required=True), identifiers=_identifiers(document),
        address=_text(document, "address"), authority=_text(document, "authority"),
        legal_basis=_text(document, "legal_basis"), case_reference=_text(document, "case_reference"),
    )


def _answer(answer: actions.Answer) -> dict[str, Any]:
    return {
        "screening": answer.screening.public_id,
        "decision": answer.result.decision,
        "case": answer.screening.case_reference or None,
        "matches": [{
            "organisation": {"ref": m.organisation.ref, "name": m.organisation.name,
                             "status": m.organisation.status},
            "score": m.score,
            "reasons": m.reasons,
        } for m in answer.result.matches],
    }


@router.post(
    "/screenings", url_name="screening_create", summary="Screen an enforcement step",
    auth=TokenAuth("screening"),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": SCREENING_SCHEMA}}},
        "responses": {
            "200": {"description": "Answered and recorded: `decision` is protected, review or clear."},
            "400": {"description": "Invalid; `errors` names each field. Nothing was recorded."},
            "401": {"description": "No valid token."},
            "403": {"description": "The token is not for screening."},
            "429": {"description": "Too many requests with this token."},
        },
    },
)
def create_screening(request: HttpRequest) -> JsonResponse:
    if request.content_type != "application/json":
        return JsonResponse({"detail": _("The screening was not accepted."),
                             "errors": {"__all__": [_("Send application/json.")]}}, status=415)
    try:
        query = parse(request.body)
    except BadRequest as exc:
        return JsonResponse({"detail": _("The screening was not accepted."), "errors": exc.errors},
                            status=400)
    answer = actions.screen(query, token=request.auth)  # type: ignore[attr-defined]
    response = JsonResponse(_answer(answer), status=200)
    response["Cache-Control"] = "no-store"
    return response
