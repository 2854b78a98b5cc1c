"""``GET /api/v1/counsel?name=…``: is this lawyer or firm authorised to act for the company?

Public, like the page: anyone facing someone who claims to act for the
company must be able to ask. Nothing about the question is stored."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from . import lookup

router = Router(tags=["counsel"])


def _match(match: lookup.Match) -> dict[str, Any]:
    counsel = match.counsel
    return {
        "name": counsel.name,
        "name_en": counsel.name_en,
        "kind": counsel.kind,
        "firm": counsel.firm,
        "country": counsel.country,
        "registration_number": counsel.registration_number,
        "score": match.score,
        "standing": match.standing.value,
        "authorised_from": counsel.authorised_from.isoformat(),
        "authorised_until": counsel.authorised_until.isoformat() if counsel.authorised_until else None,
        "withdrawn_on": counsel.withdrawn_at.date().isoformat() if counsel.withdrawn_at else None,
    }


@router.get(
    "/counsel", url_name="counsel_check", summary="Is this lawyer or firm authorised to act for the company?",
    openapi_extra={
        "parameters": [{"in": "query", "name": "name", "required": True, "schema": {
            "type": "string", "maxLength": lookup.NAME_MAX}, "description": "A lawyer's or firm's name, "
            "in any script or transliteration"}],
        "responses": {
            "200": {"description": "`authorised` is true only for a near-certain match of counsel "
                                   "authorised today; `matches` lists similar names, best first, with "
                                   "their `standing` (authorised, expired, withdrawn)."},
            "400": {"description": "No usable `name`; `errors` names it."},
        },
    },
)
def check_counsel(request: HttpRequest) -> JsonResponse:
    try:
        name = lookup.checked_name(request.GET.get("name"))
    except lookup.BadName as exc:
        return JsonResponse({"detail": _("The question was not accepted."),
                             "errors": {"name": [exc.message]}}, status=400)
    answer = lookup.check(name)
    return JsonResponse({"authorised": answer.authorised, "matches": [_match(m) for m in answer.matches]})
