"""/staff/state-times/: median and mean time in each state over the responder's cases."""

from __future__ import annotations

import datetime as dt

import pytest

from tocsin.audit.models import Entry
from tocsin.cases import actions
from tocsin.cases.models import Case

pytestmark = pytest.mark.django_db


def received_long_ago(reference: str, days: int = 30) -> Case:
    Case.objects.filter(reference=reference).update(
        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
    return Case.objects.get(reference=reference)


def after(case: Case, minutes: int) -> dt.datetime:
    return case.received_at + dt.timedelta(minutes=minutes)


def row(page: str, state: str) -> str:
    start = page.index(f'<tr id="state-{state}">')
    return page[start:page.index("</tr>", start)]


def test_it_shows_median_and_mean_per_state(rita, logged_in, report):
    minutes_in_new = [10, 20, 90]
    for waited in minutes_in_new:
        _, reference = report()
        case = received_long_ago(reference)
        actions.transition(case, "vetting", acting_user=rita, now=after(case, waited))
        actions.transition(case, "closed", acting_user=rita, now=after(case, waited + 60))
    response = logged_in(rita).get("/staff/state-times/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Over the 3 cases you can open." in page
    assert row(page, "new").endswith("<td>3</td><td>20 min</td><td>40 min</td>")
    assert row(page, "vetting").endswith("<td>3</td><td>1 h 00 min</td><td>1 h 00 min</td>")
    assert row(page, "accepted").endswith("<td>0</td><td>—</td><td>—</td>")
    assert 'id="state-closed"' not in page


def test_a_case_still_waiting_counts_until_now(rita, logged_in, report):
    _, reference = report()
    received_long_ago(reference, days=2)
    page = logged_in(rita).get("/staff/state-times/").content.decode()
    assert row(page, "new").endswith("<td>1</td><td>2 d 0 h</td><td>2 d 0 h</td>")


def test_it_counts_only_the_cases_the_responder_can_open(rita, bora, logged_in, report):
    report(country="RU")
    report(country="BY")
    report(country="BY")
    assert "Over the 1 case you can open." in logged_in(rita).get("/staff/state-times/").content.decode()
    assert "Over the 2 cases you can open." in logged_in(bora).get("/staff/state-times/").content.decode()


def test_it_decrypts_nothing_and_logs_nothing(rita, logged_in, report):
    report()
    client = logged_in(rita)
    before = Entry.objects.count()
    client.get("/staff/state-times/")
    assert Entry.objects.count() == before


def test_the_inbox_links_to_it(rita, logged_in):
    assert 'href="/staff/state-times/"' in logged_in(rita).get("/staff/").content.decode()
