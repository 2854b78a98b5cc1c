"""Who sees a demand: its team and headquarters; everyone else gets "not found"."""

from __future__ import annotations

import pytest
from django.test import Client

from tocsin.audit.models import Entry

PAGES = ["", "edit/"]
POSTS = ["edit/", "organisations/", "organisations/unlink/", "cases/", "approval/request/", "approval/",
         "response/", "close/"]


def test_the_team_and_headquarters_see_it(demand, rita, lena, hana, logged_in):
    recorded = demand()
    for user in (rita, lena, hana):
        response = logged_in(user).get(f"/staff/demands/{recorded.reference}/")
        assert response.status_code == 200
        assert recorded.reference in response.content.decode()


def test_the_register_lists_what_each_may_see(demand, rita, bora, hana, logged_in):
    recorded = demand()
    assert recorded.reference in logged_in(rita).get("/staff/demands/").content.decode()
    assert recorded.reference in logged_in(hana).get("/staff/demands/").content.decode()
    listing = logged_in(bora).get("/staff/demands/")
    assert listing.status_code == 200
    assert recorded.reference not in listing.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_another_team_and_an_administrator_get_not_found(demand, bora, adam, logged_in, page):
    recorded = demand()
    for user in (bora, adam):
        assert logged_in(user).get(f"/staff/demands/{recorded.reference}/{page}").status_code == 404
    assert not Entry.objects.filter(action="demand.read").exclude(actor__username="rita").exists()


@pytest.mark.parametrize("path", POSTS)
def test_another_team_cannot_change_anything(demand, bora, logged_in, path):
    recorded = demand()
    client = logged_in(bora)
    before = Entry.objects.count()
    response = client.post(f"/staff/demands/{recorded.reference}/{path}", {
        "organisation": "ORG-1", "case": "TX-AAAA-AAAA", "outcome": "complied", "note": "x",
        "responded_on": str(recorded.received_on), "agency": "x", "delivery": "oral", "type": "other",
        "received_on": str(recorded.received_on)})
    assert response.status_code == 404
    assert Entry.objects.count() == before


@pytest.mark.parametrize("path", ["", *PAGES[1:], *POSTS])
def test_an_anonymous_visitor_is_sent_to_log_in(demand, path):
    recorded = demand()
    client = Client()
    for response in (client.get(f"/staff/demands/{recorded.reference}/{path}"),
                     client.post(f"/staff/demands/{recorded.reference}/{path}", {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_missing_demand_is_not_found(rita, logged_in):
    assert logged_in(rita).get("/staff/demands/GD-2222-2222/").status_code == 404


def test_the_pages_have_no_script_and_no_inline_style(demand, rita, logged_in):
    import re

    recorded = demand(flagged=True)
    client = logged_in(rita)
    for url in ("/staff/demands/", "/staff/demands/new/", f"/staff/demands/{recorded.reference}/",
                f"/staff/demands/{recorded.reference}/edit/"):
        html = client.get(url).content.decode()
        assert "<script" not in html and not re.search(r"\sstyle=", html), url
