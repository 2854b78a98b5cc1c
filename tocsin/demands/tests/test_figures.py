"""The transparency counts: aggregate and plain, nothing sealed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tocsin.demands import actions, figures


def test_it_counts_by_year_country_agency_type_delivery_and_outcome(demand, rita):
    today = timezone.localdate()
    first = demand()
    demand()
    demand(type="content_restriction", delivery="oral")
    demand(received_on=today.replace(year=today.year - 1, day=1))
    actions.respond(first, outcome="refused", responded_on=today, acting_user=rita)
    rows = figures.counts(year=today.year)
    agency = "Prosecutor's Office of Irkutsk Region"
    assert {(r["type"], r["delivery"], r["outcome"], r["demands"]) for r in rows} == {
        ("account_data", "written", "", 1), ("account_data", "written", "refused", 1),
        ("content_restriction", "oral", "", 1)}
    assert all(r["country"] == "RU" and r["agency"] == agency and r["year"] == today.year for r in rows)
    assert sum(r["demands"] for r in figures.counts()) == 4
    assert "Sidorenko" not in str(figures.counts())


def test_a_year_without_demands_has_no_rows(demand):
    demand()
    assert figures.counts(year=(timezone.localdate() - datetime.timedelta(days=3 * 366)).year) == []
