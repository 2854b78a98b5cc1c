"""/staff/cases/<ref>/access/: giving a case to a responder or a team (re-sealing
its key inside the granting session) and revoking it."""

from __future__ import annotations

import pytest

from tocsin.accounts.actions import unlock_private_key
from tocsin.accounts.models import Membership, Team
from tocsin.audit.models import Entry
from tocsin.cases.models import Case, CaseKey
from tocsin.cases.tests.conftest import MARKER, fresh, key_for, stale
from tocsin.conftest import PASSWORD, make_responder
from tocsin.crypto import boxes

pytestmark = pytest.mark.django_db


def grant(client, reference: str, **fields: str):
    return client.post(f"/staff/cases/{reference}/access/grant/", {"user": "", "team": "", **fields})


def revoke(client, reference: str, username: str):
    return client.post(f"/staff/cases/{reference}/access/revoke/", {"user": username})


def readers(reference: str) -> list[str]:
    return sorted(CaseKey.objects.filter(case__reference=reference).values_list("user__username", flat=True))


def opens(user, reference: str) -> str:
    """What ``user`` reads with nothing but their own password: the narrative."""
    private = unlock_private_key(user, PASSWORD)
    assert private is not None
    sealed = CaseKey.objects.get(case__reference=reference, user=user).sealed_key
    case = Case.objects.get(reference=reference)
    content = boxes.decrypt_json(boxes.unseal(bytes(sealed), private), bytes(case.sealed_content),
                                 bound_to=reference)
    return content["narrative"]


def test_a_responder_gives_the_case_to_a_responder_of_another_team(rita, bora, logged_in, file_report):
    filed = file_report()
    response = grant(fresh(logged_in(rita)), filed.reference, user="bora")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{filed.reference}/access/"
    assert readers(filed.reference) == ["bora", "rita"]
    # Really sealed to bora: his own key opens it, and so does his session.
    assert opens(bora, filed.reference) == MARKER
    bora_client = logged_in(bora)
    assert MARKER in bora_client.get(f"/staff/cases/{filed.reference}/").content.decode()
    assert filed.reference in bora_client.get("/staff/").content.decode()


def test_it_seals_the_same_key_never_a_new_one(rita, bora, logged_in, report):
    _, reference = report()
    grant(fresh(logged_in(rita)), reference, user="bora")
    assert key_for(bora, reference) == key_for(rita, reference)


def test_it_gives_the_case_to_every_current_member_of_a_team(rita, bora, logged_in, report):
    _, reference = report()
    olga = make_responder("olga", "belarus")
    response = grant(fresh(logged_in(rita)), reference, team="belarus")
    assert response.status_code == 302
    assert readers(reference) == ["bora", "olga", "rita"]
    assert opens(olga, reference) == opens(bora, reference)
    later = make_responder("pavel", "belarus")
    assert not CaseKey.objects.filter(user=later).exists()  # joining later gives nothing


def test_a_team_grant_skips_who_already_reads_and_who_has_no_key(rita, lena, adam, logged_in, report):
    _, reference = report()
    Membership.objects.create(user=adam, team=Team.objects.get(name="default"))
    nadia = make_responder("nadia", "default")  # joined after the report
    grant(fresh(logged_in(rita)), reference, team="default")
    assert readers(reference) == ["lena", "nadia", "rita"]
    assert Entry.objects.get(action="case.granted").detail == {"readers": ["nadia"], "team": "default"}
    assert opens(nadia, reference)


def test_it_logs_the_grant(rita, bora, logged_in, report):
    _, reference = report()
    grant(fresh(logged_in(rita)), reference, user="bora")
    entry = Entry.objects.get(action="case.granted")
    assert (entry.actor, entry.target, entry.detail) == (rita, reference, {"readers": ["bora"], "team": None})


@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"user": "nobody"}, "user", "No responder called “nobody” can receive cases."),
    ({"user": "adam"}, "user", "No responder called “adam” can receive cases."),  # no key pair
    ({"user": "rita"}, "user", "rita can already open this case."),
    ({"team": "nowhere"}, "team", "There is no team called “nowhere”."),
    ({"team": "default"}, "team", "Every responder of team default who has a key can already open"),
    ({}, "user", "Name one responder or one team, not both and not neither."),
    ({"user": "bora", "team": "belarus"}, "user", "Name one responder or one team"),
    ({"user": "b" * 151}, "user", "at most 150 characters"),
])
def test_it_refuses_a_grant_it_cannot_make_naming_the_field(rita, lena, bora, adam, logged_in, report,
                                                            fields, field, problem):
    _, reference = report()
    before = readers(reference)
    response = grant(fresh(logged_in(rita)), reference, **fields)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="id_{field}-errors"' in content
    assert problem in content
    assert readers(reference) == before
    assert not Entry.objects.filter(action="case.granted").exists()


def test_an_inactive_responder_cannot_be_given_a_case(rita, bora, logged_in, report):
    _, reference = report()
    bora.is_active = False
    bora.save()
    assert grant(fresh(logged_in(rita)), reference, user="bora").status_code == 400
    assert readers(reference) == ["rita"]


def test_a_stale_session_is_asked_for_the_password_first(rita, bora, logged_in, report):
    _, reference = report()
    client = stale(logged_in(rita))
    for path in ["access/", "access/grant/", "access/revoke/"]:
        response = client.post(f"/staff/cases/{reference}/{path}", {"user": "bora"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauth/?next=")
    assert readers(reference) == ["rita"]
    assert not Entry.objects.filter(action__in=["case.granted", "case.revoked"]).exists()


def test_after_re_authenticating_the_responder_lands_on_the_access_page(rita, logged_in, report):
    _, reference = report()
    client = fresh(logged_in(rita))
    response = client.get(f"/staff/cases/{reference}/access/grant/")
    assert response["Location"] == f"/staff/cases/{reference}/access/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="reader-rita"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_revoking_deletes_the_sealed_copy(rita, lena, logged_in, file_report):
    filed = file_report()
    lena_client = logged_in(lena)
    assert lena_client.get(f"/staff/cases/{filed.reference}/").status_code == 200
    response = revoke(fresh(logged_in(rita)), filed.reference, "lena")
    assert response.status_code == 302
    assert readers(filed.reference) == ["rita"]
    # Lena's own key no longer reaches the case; her open session gets "not found".
    assert not CaseKey.objects.filter(user=lena).exists()
    with pytest.raises(CaseKey.DoesNotExist):
        opens(lena, filed.reference)
    assert lena_client.get(f"/staff/cases/{filed.reference}/").status_code == 404
    assert lena_client.get(f"/staff/cases/{filed.reference}/evidence/{filed.evidence_id}/").status_code == 404
    assert filed.reference not in lena_client.get("/staff/").content.decode()
    entry = Entry.objects.get(action="case.revoked")
    assert (entry.actor, entry.detail) == (rita, {"reader": "lena", "unassigned": False})


def test_revoking_the_assignee_unassigns_them(rita, lena, logged_in, report):
    _, reference = report()
    client = fresh(logged_in(rita))
    client.post(f"/staff/cases/{reference}/assignee/", {"assignee": "lena"})
    revoke(client, reference, "lena")
    assert Case.objects.get(reference=reference).assignee is None
    assert Entry.objects.get(action="case.revoked").detail["unassigned"] is True


def test_nobody_revokes_their_own_access(rita, lena, logged_in, report):
    _, reference = report()
    response = revoke(fresh(logged_in(rita)), reference, "rita")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="revoke-errors"' in content
    assert "You cannot revoke your own access. Another reader of the case can." in content
    assert readers(reference) == ["lena", "rita"]


def test_the_page_offers_no_button_to_revoke_oneself(rita, lena, logged_in, report):
    _, reference = report()
    page = fresh(logged_in(rita)).get(f"/staff/cases/{reference}/access/").content.decode()
    assert '<input type="hidden" name="user" value="lena">' in page
    assert '<input type="hidden" name="user" value="rita">' not in page


@pytest.mark.parametrize(("username", "problem"), [
    ("bora", "bora cannot open this case."),
    ("ghost", "Nobody called “ghost” can open this case."),
    ("", "This field is required."),
])
def test_it_refuses_to_revoke_someone_who_cannot_open_it(rita, bora, logged_in, report, username, problem):
    _, reference = report()
    response = revoke(fresh(logged_in(rita)), reference, username)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not Entry.objects.filter(action="case.revoked").exists()


def test_a_revoked_responder_cannot_grant_or_revoke(rita, lena, bora, logged_in, report):
    _, reference = report()
    lena_client = fresh(logged_in(lena))
    revoke(fresh(logged_in(rita)), reference, "lena")
    assert grant(lena_client, reference, user="bora").status_code == 404
    assert revoke(lena_client, reference, "rita").status_code == 404
    assert readers(reference) == ["rita"]
