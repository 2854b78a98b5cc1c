"""Tocsin's URLs plus ``POST /bench/baseline``: a bare Django view that stores
the request body as one row and answers 201 -- the baseline the intake is measured against;
``POST /bench/floor``, the least any intake meeting issue 2 must do (``--floor``); and
``GET /bench/baseline-get``, the same as the baseline for the verification bench."""

import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tocsin.accounts.models import ResponderKey
from tocsin.crypto import boxes, receipts
from tocsin.intake.actions import new_reference
from tocsin.intake.api import _from_json
from tocsin.intake.forms import ReportForm
from tocsin.urls import urlpatterns as tocsin_urlpatterns

from .models import BaselineRow


@csrf_exempt
@require_POST
def baseline(request: HttpRequest) -> JsonResponse:
    row = BaselineRow.objects.create(received_at=timezone.now(), body=request.body)
    return JsonResponse({"id": row.pk}, status=201)


_readers: list[bytes] = []


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> JsonResponse:
    """What the issue makes every report cost, and nothing else: the JSON read
    and validated by the report form, a receipt and a fresh report key, the
    sensitive fields encrypted, the key sealed to the receipt and to every
    responder, and one row holding it all in one durable commit. No routing,
    no sealed-key rows, audit entry, timer or alert (which the issues also
    ask for). An intake can at best match this: its ratio to the baseline is
    the ceiling of the intake's on the machine the bench runs on."""
    if not _readers:
        _readers.extend(bytes(key) for key in ResponderKey.objects.values_list("public_key", flat=True))
    data, language = _from_json(request.body)
    form = ReportForm(data, language=language)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    report = form.to_input()
    receipt, key, reference = receipts.new_receipt(), boxes.new_report_key(), new_reference()
    receipt_public_key = receipts.public_key(receipt)
    sealed = [boxes.encrypt_json(key, report.sealed_fields(), bound_to=reference),
              receipts.lookup_tag(receipt), boxes.seal(key, receipt_public_key),
              *(boxes.seal(key, public) for public in _readers)]
    stored = b"".join([json.dumps([report.country, report.act_types, report.occurred_on]).encode(), *sealed])
    BaselineRow.objects.create(received_at=timezone.now(), body=stored)
    return JsonResponse({"receipt": receipt, "reference": reference}, status=201)


@require_GET
def baseline_get(request: HttpRequest) -> JsonResponse:
    """The floor for ``GET /api/v1/attestations/verify`` (bench/verify.py): a bare
    view that, like a check, stores one row (here the query string) and answers JSON."""
    query = request.META.get("QUERY_STRING", "").encode()
    row = BaselineRow.objects.create(received_at=timezone.now(), body=query)
    return JsonResponse({"id": row.pk})


urlpatterns = [path("bench/baseline", baseline, name="bench-baseline"),
               path("bench/floor", floor, name="bench-floor"),
               path("bench/baseline-get", baseline_get, name="bench-baseline-get"), *tocsin_urlpatterns]
