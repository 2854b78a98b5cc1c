"""revoke_attestation: a reason, once, audited; the organisation falls back to enrolled."""

from __future__ import annotations

import pytest

from tocsin.attestations import actions
from tocsin.attestations.errors import Refused
from tocsin.audit.models import Entry
from tocsin.registry.models import Organisation


def test_it_revokes_with_the_reason_and_audits(issue, adam, organisation):
    attestation = issue()
    actions.revoke_attestation(attestation, acting_user=adam, reason="Issued to the wrong branch")
    attestation.refresh_from_db()
    assert attestation.revoked_at is not None
    assert attestation.revoked_reason == "Issued to the wrong branch"
    entry = Entry.objects.get(action="attestation.revoked")
    assert entry.actor == adam and entry.detail["token_id"] == attestation.token_id
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ENROLLED


def test_the_organisation_stays_attested_while_another_attestation_is_in_force(issue, adam, organisation):
    first, _second = issue(), issue()
    actions.revoke_attestation(first, acting_user=adam, reason="superseded")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ATTESTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_needs_a_reason(issue, adam, reason):
    attestation = issue()
    with pytest.raises(Refused) as refused:
        actions.revoke_attestation(attestation, acting_user=adam, reason=reason)
    assert refused.value.field == "reason"
    attestation.refresh_from_db()
    assert attestation.revoked_at is None


def test_it_refuses_to_revoke_twice(issue, adam):
    attestation = issue()
    actions.revoke_attestation(attestation, acting_user=adam, reason="one")
    with pytest.raises(Refused) as refused:
        actions.revoke_attestation(attestation, acting_user=adam, reason="two")
    assert refused.value.status == 409
    attestation.refresh_from_db()
    assert attestation.revoked_reason == "one"
    assert Entry.objects.filter(action="attestation.revoked").count() == 1
