"""Linking registry organisations and cases to a demand."""

from __future__ import annotations

import pytest

from tocsin.audit.models import Entry
from tocsin.cases.errors import Refused
from tocsin.demands import actions


def test_linking_an_organisation_by_its_reference(demand, rita, organisation, logged_in):
    recorded = demand()
    group = organisation("media", "Novaya Gazeta Baikal")
    response = logged_in(rita).post(f"/staff/demands/{recorded.reference}/organisations/",
                                    {"organisation": f"  {group.ref} "})
    assert response.status_code == 302
    assert list(recorded.organisations.all()) == [group]
    entry = Entry.objects.get(action="demand.organisation_linked")
    assert entry.detail == {"organisation": group.ref, "kind": "media"}


@pytest.mark.parametrize(("value", "status", "message"), [
    ("", 400, "required"), ("ORG-404", 400, "No organisation"), ("x" * 65, 400, "at most 64"),
])
def test_a_bad_organisation_reference_is_refused_by_name(demand, rita, logged_in, value, status, message):
    recorded = demand()
    response = logged_in(rita).post(f"/staff/demands/{recorded.reference}/organisations/",
                                    {"organisation": value})
    assert response.status_code == status
    html = response.content.decode()
    assert 'id="organisation-errors"' in html and message in html
    assert not recorded.organisations.exists()


def test_linking_the_same_organisation_twice_is_refused(demand, rita, organisation):
    recorded, group = demand(), organisation()
    actions.link_organisation(recorded, group.ref, acting_user=rita)
    with pytest.raises(Refused, match="already linked"):
        actions.link_organisation(recorded, group.ref, acting_user=rita)


def test_linking_a_case_the_responder_can_open(demand, rita, report, logged_in):
    _receipt, reference = report()
    recorded = demand()
    client = logged_in(rita)
    assert client.post(f"/staff/demands/{recorded.reference}/cases/", {"case": reference}).status_code == 302
    assert [c.reference for c in recorded.cases.all()] == [reference]
    html = client.get(f"/staff/demands/{recorded.reference}/").content.decode()
    assert f'href="/staff/cases/{reference}/"' in html


def test_a_case_the_responder_cannot_open_is_not_found_to_them(demand, rita, bora, hana, report):
    _receipt, reference = report(country="BY")  # belarus's case: rita cannot open it
    recorded = demand()
    with pytest.raises(Refused, match="no case with the reference") as missing:
        actions.link_case(recorded, "TX-2222-2222", acting_user=rita)
    with pytest.raises(Refused, match="no case with the reference") as forbidden:
        actions.link_case(recorded, reference, acting_user=rita)
    assert missing.value.message.replace("TX-2222-2222", reference) == forbidden.value.message
    assert not recorded.cases.exists()


def test_a_linked_case_the_viewer_cannot_open_shows_without_a_link(demand, rita, hana, report, logged_in):
    _receipt, reference = report()
    recorded = demand()
    actions.link_case(recorded, reference, acting_user=rita)
    html = logged_in(hana).get(f"/staff/demands/{recorded.reference}/").content.decode()
    assert reference in html and f'href="/staff/cases/{reference}/"' not in html


def test_a_bad_case_reference_is_refused_by_name(demand, rita, logged_in):
    recorded = demand()
    for value, message in (("", "required"), ("x" * 17, "at most 16"), ("TX-NOPE-NOPE", "no case")):
        response = logged_in(rita).post(f"/staff/demands/{recorded.reference}/cases/", {"case": value})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="case-errors"' in html and message in html


def test_unlinking_an_organisation_that_is_not_linked(demand, hana, organisation):
    recorded = demand()
    with pytest.raises(Refused, match="No linked organisation"):
        actions.unlink_organisation(recorded, organisation().ref, acting_user=hana)
