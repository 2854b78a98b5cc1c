"""Tocsin's URLs plus ``POST /bench/baseline``: a bare Django view that stores
the request body as one row and answers 201 -- the floor the intake is measured against."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tocsin.urls import urlpatterns as tocsin_urlpatterns

from .models import BaselineRow


@csrf_exempt
@require_POST
def baseline(request: HttpRequest) -> JsonResponse:
    row = BaselineRow.objects.create(received_at=timezone.now(), body=request.body)
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [path("bench/baseline", baseline, name="bench-baseline"), *tocsin_urlpatterns]
