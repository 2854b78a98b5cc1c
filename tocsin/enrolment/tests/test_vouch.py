"""POST /staff/enrolment/<ref>/vouch/: a trusted partner vouches for a group."""

from __future__ import annotations

import pytest
from django.test import Client

from tocsin.audit.models import Entry
from tocsin.enrolment.models import Application
from tocsin.enrolment.vouching import vouch_of

pytestmark = pytest.mark.django_db

INFORMAL = {"kind": "informal_group", "inn": "", "ogrn": "", "registry_link": "", "files": {}}


def test_a_responder_vouches_and_it_is_recorded_and_flagged(apply, rita, vera, logged_in):
    _, reference = apply(**INFORMAL)
    response = logged_in(rita).post(
        f"/staff/enrolment/{reference}/vouch/", {"reason": "We have worked with them since 2019."}
    )
    assert response.status_code == 302
    application = Application.objects.get(reference=reference)
    assert application.vouched_by == rita and application.vouched_at is not None
    assert application.vouch_reason == "We have worked with them since 2019."
    assert Entry.objects.filter(action="enrolment.vouched", target=reference, actor_id=rita.pk).exists()
    reviewer = logged_in(vera)
    assert 'id="vouched"' in reviewer.get(f"/staff/enrolment/{reference}/").content.decode()
    assert "vouched by rita" in reviewer.get("/staff/enrolment/").content.decode()


def test_a_vouched_group_without_evidence_can_be_approved_and_the_flag_stays(apply, rita, vera, logged_in):
    _, reference = apply(**INFORMAL)
    logged_in(rita).post(f"/staff/enrolment/{reference}/vouch/", {"reason": "Known partner."})
    response = logged_in(vera).post(f"/staff/enrolment/{reference}/approve/", {"approve-reason": "Vouched."})
    assert response.status_code == 302
    application = Application.objects.get(reference=reference)
    assert application.status == Application.Status.APPROVED
    assert vouch_of(application.organisation)["vouched_by"] == "rita"
    assert Entry.objects.get(action="enrolment.approved", target=reference).detail["vouched"] is True


def test_vouching_needs_a_reason(apply, rita, logged_in):
    _, reference = apply(**INFORMAL)
    response = logged_in(rita).post(f"/staff/enrolment/{reference}/vouch/", {"reason": ""})
    assert response.status_code == 400
    assert 'class="field invalid" id="field-reason"' in response.content.decode()
    assert Application.objects.get(reference=reference).vouched_by is None


def test_a_group_is_vouched_for_once(apply, rita, lena, logged_in):
    _, reference = apply(**INFORMAL)
    logged_in(rita).post(f"/staff/enrolment/{reference}/vouch/", {"reason": "Known."})
    response = logged_in(lena).post(f"/staff/enrolment/{reference}/vouch/", {"reason": "Me too."})
    assert response.status_code == 409
    assert Application.objects.get(reference=reference).vouched_by.username == "rita"


def test_a_reviewer_outside_every_team_may_not_vouch(apply, vera, logged_in):
    _, reference = apply(**INFORMAL)
    assert logged_in(vera).post(f"/staff/enrolment/{reference}/vouch/", {"reason": "x"}).status_code == 404
    assert Application.objects.get(reference=reference).vouched_by is None


def test_an_outsider_and_a_visitor_may_not_vouch(apply, olga, logged_in):
    _, reference = apply(**INFORMAL)
    assert logged_in(olga).post(f"/staff/enrolment/{reference}/vouch/", {"reason": "x"}).status_code == 404
    assert Client().post(f"/staff/enrolment/{reference}/vouch/", {"reason": "x"}).status_code == 302
    assert Application.objects.get(reference=reference).vouched_by is None


def test_no_vouch_without_a_partner(approved):
    _, attestation = approved()
    assert vouch_of(attestation.organisation) is None
