"""Tocsin's URLs plus ``POST /bench/baseline``: a bare Django view that stores
the request body as one row and answers 201 -- the floor the intake is measured against;
and ``GET /bench/baseline-get``, the same for the verification bench."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tocsin.urls import urlpatterns as tocsin_urlpatterns

from .models import BaselineRow


@csrf_exempt
@require_POST
def baseline(request: HttpRequest) -> JsonResponse:
    row = BaselineRow.objects.create(received_at=timezone.now(), body=request.body)
    return JsonResponse({"id": row.pk}, status=201)


@require_GET
def baseline_get(request: HttpRequest) -> JsonResponse:
    """The floor for ``GET /api/v1/attestations/verify`` (bench/verify.py): a bare
    view that, like a check, stores one row (here the query string) and answers JSON."""
    query = request.META.get("QUERY_STRING", "").encode()
    row = BaselineRow.objects.create(received_at=timezone.now(), body=query)
    return JsonResponse({"id": row.pk})


urlpatterns = [path("bench/baseline", baseline, name="bench-baseline"),
               path("bench/baseline-get", baseline_get, name="bench-baseline-get"), *tocsin_urlpatterns]
