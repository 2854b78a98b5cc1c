"""Closing: the legal basis and the outcome on record, and approval where needed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tocsin.audit.models import Entry
from tocsin.cases.errors import Refused
from tocsin.demands import actions


def respond(demand, user, outcome="partial"):  # type: ignore[no-untyped-def]
    actions.respond(demand, outcome=outcome, responded_on=timezone.localdate(), acting_user=user)


def test_it_closes_with_a_legal_basis_and_an_outcome(demand, rita):
    recorded = demand(legal_basis="Art. 144 CPC")
    respond(recorded, rita)
    actions.close(recorded, acting_user=rita)
    recorded.refresh_from_db()
    assert recorded.status == "closed" and recorded.closed_at is not None
    entry = Entry.objects.get(action="demand.closed")
    assert entry.detail == {"outcome": "partial"}


@pytest.mark.parametrize("legal_basis", ["", "   "])
def test_it_refuses_to_close_without_a_legal_basis(demand, rita, legal_basis):
    recorded = demand(legal_basis=legal_basis)
    respond(recorded, rita)
    with pytest.raises(Refused) as caught:
        actions.close(recorded, acting_user=rita)
    assert caught.value.field == "legal_basis"
    recorded.refresh_from_db()
    assert recorded.status == "open"


def test_it_refuses_to_close_without_an_outcome(demand, rita):
    recorded = demand(legal_basis="Art. 144 CPC")
    with pytest.raises(Refused) as caught:
        actions.close(recorded, acting_user=rita)
    assert caught.value.field == "outcome"


def test_it_refuses_to_close_without_approval_where_needed(demand, rita, hana):
    recorded = demand(legal_basis="Art. 144 CPC", flagged=True)
    with pytest.raises(Refused):
        actions.close(recorded, acting_user=rita)
    actions.approve(recorded, acting_user=hana)
    respond(recorded, rita, "challenged")
    actions.close(recorded, acting_user=rita)


def test_a_closed_demand_changes_no_more(demand, rita, hana, organisation):
    recorded = demand(legal_basis="Art. 144 CPC")
    respond(recorded, rita)
    actions.close(recorded, acting_user=rita)
    attempts = [
        lambda: respond(recorded, rita, "refused"),
        lambda: actions.close(recorded, acting_user=rita),
        lambda: actions.link_organisation(recorded, organisation().ref, acting_user=rita),
        lambda: actions.request_approval(recorded, acting_user=rita),
        lambda: actions.approve(recorded, acting_user=hana),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as caught:
            attempt()
        assert caught.value.status == 409
    recorded.refresh_from_db()
    assert recorded.outcome == "partial" and not recorded.organisations.exists()


def test_the_page_names_what_is_missing(demand, rita, logged_in):
    recorded = demand()
    client = logged_in(rita)
    response = client.post(f"/staff/demands/{recorded.reference}/close/")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="close-errors"' in html and "legal basis" in html
    recorded.refresh_from_db()
    assert recorded.status == "open"


def test_closing_through_the_page(demand, rita, logged_in):
    recorded = demand(legal_basis="Art. 144 CPC")
    respond(recorded, rita)
    client = logged_in(rita)
    assert client.post(f"/staff/demands/{recorded.reference}/close/").status_code == 302
    html = client.get(f"/staff/demands/{recorded.reference}/").content.decode()
    assert "Close the demand" not in html and "Record the response" not in html
