"""A demand touching civil society needs headquarters' approval on record before
anyone records a response -- whatever order things happen in."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tocsin.accounts.models import Team
from tocsin.alerts import secrets as channel_secrets
from tocsin.alerts.models import Alert, Channel
from tocsin.audit.models import Entry
from tocsin.cases.errors import Refused
from tocsin.demands import actions
from tocsin.demands.models import Demand

from .conftest import OFFICIAL, SCOPE


def respond(demand: Demand, user, outcome: str = "refused") -> None:  # type: ignore[no-untyped-def]
    actions.respond(demand, outcome=outcome, responded_on=timezone.localdate(), response="We declined.",
                    acting_user=user)


def refused_to_respond(demand: Demand, user) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as caught:
        respond(demand, user)
    demand.refresh_from_db()
    assert demand.outcome == ""
    assert not Entry.objects.filter(action="demand.responded", target=demand.reference).exists()
    return caught.value


def test_a_demand_touching_no_group_needs_no_approval(demand, rita):
    recorded = demand()
    assert not recorded.touches_civil_society()
    respond(recorded, rita)
    recorded.refresh_from_db()
    assert recorded.outcome == "refused"


@pytest.mark.parametrize("kind", ["ngo", "media", "journalists_association", "informal_group"])
def test_a_linked_group_of_any_kind_needs_approval_first(demand, rita, hana, organisation, kind):
    recorded = demand()
    actions.link_organisation(recorded, organisation(kind).ref, acting_user=rita)
    refusal = refused_to_respond(recorded, rita)
    assert refusal.field == "outcome" and refusal.status == 409
    assert "headquarters must approve" in refusal.message
    actions.approve(recorded, acting_user=hana)
    respond(recorded, rita)
    recorded.refresh_from_db()
    assert recorded.outcome == "refused" and recorded.responded_by == rita


def test_a_flagged_demand_needs_approval(demand, rita, hana):
    recorded = demand(flagged=True)
    refused_to_respond(recorded, rita)
    actions.approve(recorded, acting_user=hana)
    respond(recorded, rita)


def test_a_linked_case_needs_approval(demand, rita, hana, report):
    _receipt, reference = report()
    recorded = demand()
    actions.link_case(recorded, reference, acting_user=rita)
    refused_to_respond(recorded, rita)
    actions.approve(recorded, acting_user=hana)
    respond(recorded, rita)


def test_request_then_approve_then_respond(demand, rita, hana, organisation):
    recorded = demand()
    actions.link_organisation(recorded, organisation().ref, acting_user=rita)
    actions.request_approval(recorded, acting_user=rita)
    refused_to_respond(recorded, rita)  # asking is not approval
    actions.approve(recorded, note="Refuse: no court order.", acting_user=hana)
    respond(recorded, rita)


def test_an_approval_given_before_the_link_is_void_after_it(demand, rita, hana, organisation):
    recorded = demand()
    actions.approve(recorded, acting_user=hana)  # nothing to approve yet; harmless
    actions.link_organisation(recorded, organisation("media").ref, acting_user=rita)
    recorded.refresh_from_db()
    assert recorded.approved_at is None
    assert Entry.objects.filter(action="demand.approval_voided", target=recorded.reference).exists()
    refused_to_respond(recorded, rita)
    actions.approve(recorded, acting_user=hana)
    respond(recorded, rita)


def test_a_second_group_linked_after_approval_voids_it(demand, rita, hana, organisation):
    recorded = demand()
    actions.link_organisation(recorded, organisation().ref, acting_user=rita)
    actions.approve(recorded, acting_user=hana)
    actions.link_organisation(recorded, organisation("media").ref, acting_user=rita)
    refused_to_respond(recorded, rita)


def test_flagging_or_changing_the_scope_after_approval_voids_it(demand, rita, hana):
    recorded = demand(flagged=True)
    actions.approve(recorded, acting_user=hana)
    data = {"agency": recorded.agency, "legal_basis": "", "delivery": recorded.delivery,
            "type": recorded.type,
            "received_on": recorded.received_on, "due_on": None, "official": "", "flagged": True}
    actions.update_demand(recorded, scope="Now also the newsroom's files", acting_user=rita, **data)
    refused_to_respond(recorded, rita)


def test_a_change_of_the_legal_basis_keeps_the_approval(demand, rita, hana):
    recorded = demand(flagged=True)
    actions.approve(recorded, acting_user=hana)
    data = {"agency": recorded.agency, "delivery": recorded.delivery, "type": recorded.type,
            "received_on": recorded.received_on, "due_on": None, "official": OFFICIAL, "scope": SCOPE,
            "flagged": True}
    actions.update_demand(recorded, legal_basis="Art. 13 Law on Police", acting_user=rita, **data)
    recorded.refresh_from_db()
    assert recorded.approved_at is not None
    respond(recorded, rita)


def test_a_response_already_recorded_then_a_group_linked_blocks_closing(demand, rita, hana, organisation):
    recorded = demand(legal_basis="Art. 144 CPC")
    respond(recorded, rita, "complied")
    actions.link_organisation(recorded, organisation().ref, acting_user=rita)
    with pytest.raises(Refused) as caught:
        actions.close(recorded, acting_user=rita)
    assert caught.value.field == "approval"
    actions.approve(recorded, acting_user=hana)
    actions.close(recorded, acting_user=rita)


def test_only_headquarters_approves(demand, rita, lena, organisation):
    recorded = demand(flagged=True)
    for user in (rita, lena):
        with pytest.raises(Refused) as caught:
            actions.approve(recorded, acting_user=user)
        assert caught.value.status == 403
    recorded.refresh_from_db()
    assert recorded.approved_at is None
    assert not Entry.objects.filter(action="demand.approved").exists()


def test_approving_twice_is_refused(demand, hana):
    recorded = demand(flagged=True)
    actions.approve(recorded, acting_user=hana)
    with pytest.raises(Refused, match="already approved"):
        actions.approve(recorded, acting_user=hana)


def test_only_headquarters_lifts_what_needs_approval(demand, rita, hana, organisation):
    recorded = demand(flagged=True)
    group = organisation()
    actions.link_organisation(recorded, group.ref, acting_user=rita)
    with pytest.raises(Refused) as caught:
        actions.unlink_organisation(recorded, group.ref, acting_user=rita)
    assert caught.value.status == 403
    data = {"agency": recorded.agency, "legal_basis": "", "delivery": recorded.delivery,
            "type": recorded.type,
            "received_on": recorded.received_on, "due_on": None, "official": "", "scope": ""}
    with pytest.raises(Refused) as caught:
        actions.update_demand(recorded, flagged=False, acting_user=rita, **data)
    assert caught.value.field == "flagged"
    actions.unlink_organisation(recorded, group.ref, acting_user=hana)
    actions.update_demand(recorded, flagged=False, acting_user=hana, **data)
    recorded.refresh_from_db()
    assert not recorded.touches_civil_society()
    respond(recorded, rita)


def test_asking_alerts_headquarters_and_approving_alerts_the_team(demand, rita, hana):
    hq = Team.objects.get(name=Team.HEADQUARTERS)
    default = Team.objects.get(name=Team.DEFAULT)
    for team in (hq, default):
        Channel.objects.create(team=team, sealed_url=channel_secrets.seal_url("json://127.0.0.1:9/"),
                               label="json://127.0.0.1:9/", allow_private=True)
    recorded = demand(flagged=True)
    actions.request_approval(recorded, acting_user=rita)
    asked = Alert.objects.get(event="demand.approval_requested")
    assert asked.channel.team == hq and asked.reference == recorded.reference
    assert set(asked.payload) == {"title", "country", "link"}
    assert recorded.reference in asked.payload["title"]
    assert "Sidorenko" not in str(asked.payload) and "editor@" not in str(asked.payload)
    actions.approve(recorded, acting_user=hana)
    approved = Alert.objects.get(event="demand.approved")
    assert approved.channel.team == default


def test_asking_without_a_headquarters_team_is_refused(demand, rita):
    recorded = demand(flagged=True)
    with pytest.raises(Refused, match="no headquarters team"):
        actions.request_approval(recorded, acting_user=rita)
    recorded.refresh_from_db()
    assert recorded.approval_requested_at is None


def test_the_page_says_why_a_response_is_refused(demand, rita, hana, logged_in, organisation):
    recorded = demand()
    actions.link_organisation(recorded, organisation().ref, acting_user=rita)
    client = logged_in(rita)
    url = f"/staff/demands/{recorded.reference}/"
    response = client.post(url + "response/", {"outcome": "complied",
                                               "responded_on": str(timezone.localdate())})
    assert response.status_code == 409
    assert "headquarters must approve" in response.content.decode()
    assert 'id="response-errors"' in response.content.decode()
    assert client.post(url + "approval/request/").status_code == 302
    assert "not approved yet" in client.get(url).content.decode()
    # Rita sees no approve button and cannot approve by posting.
    assert "Approve for headquarters" not in client.get(url).content.decode()
    assert client.post(url + "approval/", {"note": ""}).status_code == 403
    hq = logged_in(hana)
    assert "Approve for headquarters" in hq.get(url).content.decode()
    assert hq.post(url + "approval/", {"note": "Refuse; no court order."}).status_code == 302
    assert "Refuse; no court order." in client.get(url).content.decode()
    response = client.post(url + "response/", {"outcome": "refused",
                                               "responded_on": str(timezone.localdate()),
                                               "response": "Refused in writing."})
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.outcome == "refused"
