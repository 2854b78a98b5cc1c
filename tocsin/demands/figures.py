"""Counts of demands for transparency reports: plain columns only, never the sealed ones.

Grouped by year received, country, agency, type, written or oral, and
outcome -- what GNI companies publish. No reference, official, scope or
organisation leaves here, so a figure cannot point at a group."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.db.models.functions import ExtractYear

from .models import Demand


def counts(*, year: int | None = None) -> list[dict[str, Any]]:
    demands = Demand.objects.all()
    if year is not None:
        demands = demands.filter(received_on__year=year)
    rows = (demands.annotate(year=ExtractYear("received_on"))
            .values("year", "country", "agency", "type", "delivery", "outcome")
            .annotate(demands=Count("pk"))
            .order_by("year", "country", "agency", "type", "delivery", "outcome"))
    return [dict(row) for row in rows]
