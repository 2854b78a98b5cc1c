"""/staff/enrolment/: reviewers list, open, approve and reject applications."""

from __future__ import annotations

import pytest
from django.test import Client

from tocsin.attestations.models import Attestation
from tocsin.audit.models import Entry
from tocsin.enrolment.models import Application, EvidenceFile
from tocsin.intake.tests.test_browser import tiny_pdf
from tocsin.registry.models import Organisation

pytestmark = pytest.mark.django_db


def page(reference: str, suffix: str = "") -> str:
    return f"/staff/enrolment/{reference}/{suffix}"


# -- Who may see what ------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(apply):
    _, reference = apply()
    item = EvidenceFile.objects.get(application__reference=reference)
    for url in ["/staff/enrolment/", page(reference), page(reference, f"evidence/{item.public_id}/")]:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in [page(reference, "approve/"), page(reference, "reject/"), page(reference, "vouch/")]:
        response = Client().post(url, {"reason": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert Application.objects.get(reference=reference).status == Application.Status.PENDING


def test_an_outsider_gets_not_found_everywhere(apply, olga, logged_in):
    _, reference = apply()
    item = EvidenceFile.objects.get(application__reference=reference)
    client = logged_in(olga)
    for url in ["/staff/enrolment/", page(reference), page(reference, f"evidence/{item.public_id}/")]:
        assert client.get(url).status_code == 404, url
    for url in [page(reference, "approve/"), page(reference, "reject/"), page(reference, "vouch/")]:
        assert (
            client.post(url, {"approve-reason": "x", "reject-reason": "x", "reason": "x"}).status_code == 404
        )
    application = Application.objects.get(reference=reference)
    assert application.status == Application.Status.PENDING and application.vouched_by is None


def test_a_responder_sees_the_queue_but_not_the_contact_or_evidence(apply, rita, logged_in):
    _, reference = apply()
    item = EvidenceFile.objects.get(application__reference=reference)
    client = logged_in(rita)
    assert reference in client.get("/staff/enrolment/").content.decode()
    body = client.get(page(reference)).content.decode()
    assert "baikalwave" not in body and "certificate.pdf" not in body
    assert "Vouch" in body and "Approve" not in body
    assert client.get(page(reference, f"evidence/{item.public_id}/")).status_code == 404
    assert client.post(page(reference, "approve/"), {"approve-reason": "ok"}).status_code == 404
    assert not Entry.objects.filter(action="enrolment.application_opened").exists()


def test_a_reviewer_sees_the_contact_and_the_opening_is_audited(apply, vera, logged_in):
    _, reference = apply()
    client = logged_in(vera)
    body = client.get(page(reference)).content.decode()
    assert "office@baikalwave.example" in body and "certificate.pdf" in body
    entry = Entry.objects.get(action="enrolment.application_opened", target=reference)
    assert entry.actor_id == vera.pk


def test_a_superuser_may_review(apply, adam, logged_in):
    _, reference = apply()
    assert logged_in(adam).get(page(reference)).status_code == 200


def test_a_reviewer_downloads_evidence_byte_for_byte_and_it_is_audited(apply, vera, logged_in):
    _, reference = apply()
    item = EvidenceFile.objects.get(application__reference=reference)
    response = logged_in(vera).get(page(reference, f"evidence/{item.public_id}/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == tiny_pdf("registration certificate")
    assert Entry.objects.filter(
        action="enrolment.evidence_opened", target=reference, actor_id=vera.pk
    ).exists()


def test_unknown_application_and_file_are_not_found(apply, vera, logged_in):
    _, reference = apply()
    client = logged_in(vera)
    assert client.get(page("EN-NONE-NONE")).status_code == 404
    assert client.get(page(reference, "evidence/0123456789abcdef/")).status_code == 404


# -- Approve -------------------------------------------------------------------------


def test_approving_enrols_the_organisation_and_issues_the_attestation(apply, vera, logged_in):
    _, reference = apply()
    response = logged_in(vera).post(
        page(reference, "approve/"), {"approve-reason": "Registry entry checked."}
    )
    assert response.status_code == 302
    application = Application.objects.get(reference=reference)
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == vera and application.decision_reason == "Registry entry checked."
    assert application.eligibility["eligible"] is True
    assert application.eligibility["rule_set_version"].startswith("2010")
    organisation = application.organisation
    assert organisation.status in {Organisation.Status.ENROLLED, Organisation.Status.ATTESTED}
    assert organisation.requalify is False
    attestation = Attestation.objects.get(organisation=organisation)
    assert attestation.issued_by == vera
    assert Entry.objects.filter(action="enrolment.approved", target=reference).exists()
    assert Entry.objects.filter(action="attestation.issued").exists()


def test_approving_writes_the_details_and_the_sealed_contact(approved):
    from tocsin.enrolment import sealing

    _, attestation = approved()
    organisation = Organisation.objects.get(pk=attestation.organisation_id)
    assert organisation.name_en == "Baikal Environmental Wave"
    assert organisation.public_fields == ["inn", "name_en"]
    assert b"baikalwave" not in bytes(organisation.sealed_contacts)
    assert sealing.organisation_contact(organisation) == {
        "kind": "email",
        "value": "office@baikalwave.example",
    }


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_decision_needs_a_reason(apply, vera, logged_in, action):
    _, reference = apply()
    response = logged_in(vera).post(page(reference, f"{action}/"), {f"{action}-reason": "  "})
    assert response.status_code == 400
    assert 'id="field-reason"' in response.content.decode()
    assert Application.objects.get(reference=reference).status == Application.Status.PENDING
    assert not Attestation.objects.exists()


def test_it_refuses_to_approve_what_the_rules_do_not_cover(apply, vera, logged_in):
    _, reference = apply(country="US", inn="", ogrn="")
    response = logged_in(vera).post(page(reference, "approve/"), {"approve-reason": "Looks fine."})
    assert response.status_code == 409
    assert "do not cover it" in response.content.decode()
    application = Application.objects.get(reference=reference)
    assert application.status == Application.Status.PENDING
    assert application.organisation.status == Organisation.Status.REGISTERED
    assert not Attestation.objects.exists()


def test_it_refuses_to_approve_after_coverage_ended(apply, vera, logged_in, settings):
    settings.COVERAGE_UNTIL = ""
    _, reference = apply()
    response = logged_in(vera).post(page(reference, "approve/"), {"approve-reason": "Looks fine."})
    assert response.status_code == 409
    assert "Coverage ended" in response.content.decode()


def test_an_informal_group_without_evidence_needs_a_vouch(apply, vera, logged_in):
    _, reference = apply(kind="informal_group", inn="", ogrn="", registry_link="", files={})
    response = logged_in(vera).post(page(reference, "approve/"), {"approve-reason": "Looks fine."})
    assert response.status_code == 409
    assert "vouch" in response.content.decode()
    assert not Attestation.objects.exists()


def test_a_decided_application_cannot_be_decided_again(apply, vera, logged_in):
    _, reference = apply()
    client = logged_in(vera)
    client.post(page(reference, "reject/"), {"reject-reason": "No registry entry found."})
    response = client.post(page(reference, "approve/"), {"approve-reason": "Changed my mind."})
    assert response.status_code == 409
    assert Application.objects.get(reference=reference).status == Application.Status.REJECTED
    assert not Attestation.objects.exists()


# -- Reject --------------------------------------------------------------------------


def test_rejecting_records_the_reason_and_the_rules(apply, vera, logged_in):
    _, reference = apply()
    response = logged_in(vera).post(page(reference, "reject/"), {"reject-reason": "No registry entry found."})
    assert response.status_code == 302
    application = Application.objects.get(reference=reference)
    assert application.status == Application.Status.REJECTED
    assert application.decision_reason == "No registry entry found."
    assert application.eligibility["rule_set_version"]
    assert application.organisation.status == Organisation.Status.REGISTERED
    assert Entry.objects.filter(action="enrolment.rejected", target=reference, actor_id=vera.pk).exists()


def test_a_rejected_organisation_may_apply_again(apply, vera, logged_in):
    _, first = apply()
    logged_in(vera).post(page(first, "reject/"), {"reject-reason": "Missing evidence."})
    organisation = Application.objects.get(reference=first).organisation
    _, second = apply(organisation_ref=organisation.ref)
    assert Application.objects.get(reference=second).organisation == organisation
    assert Application.objects.get(reference=second).status == Application.Status.PENDING


def test_the_list_shows_pending_applications_oldest_first(apply, vera, logged_in):
    _, first = apply()
    _, second = apply(name="Вторая")
    body = logged_in(vera).get("/staff/enrolment/").content.decode()
    assert body.index(first) < body.index(second)
