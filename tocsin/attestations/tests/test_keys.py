"""Rotating and revoking signing keys: old tokens verify under their key id; a compromised key does not."""

from __future__ import annotations

import pytest

from tocsin.attestations import actions, checks
from tocsin.attestations.errors import Refused
from tocsin.attestations.models import SigningKey
from tocsin.audit.models import Entry


def test_rotation_signs_with_a_new_key_and_keeps_old_tokens_valid(issue, adam):
    before = issue()
    new = actions.rotate_key(acting_user=adam)
    after = issue()
    assert after.key == new and before.key != new
    old = SigningKey.objects.get(pk=before.key.pk)
    assert old.retired_at is not None and old.revoked_at is None
    assert checks.check(before.token)[0].status == "valid"
    assert checks.check(after.token)[0].status == "valid"
    entry = Entry.objects.get(action="attestation.key_rotated")
    assert entry.target == new.key_id and entry.detail["retired"] == old.key_id


def test_a_revoked_key_is_refused_and_the_next_issue_makes_a_new_one(issue, adam):
    before = issue()
    actions.revoke_key(before.key.key_id, acting_user=adam, reason="laptop stolen")
    result, _attestation = checks.check(before.token)
    assert result.status == "revoked"
    assert before.key.key_id in result.reason
    after = issue()
    assert after.key != before.key
    assert checks.check(after.token)[0].status == "valid"
    entry = Entry.objects.get(action="attestation.key_revoked")
    assert entry.detail == {"reason": "laptop stolen", "attestations": 1}


def test_a_retired_key_can_be_revoked_too(issue, adam):
    before = issue()
    actions.rotate_key(acting_user=adam)
    actions.revoke_key(before.key.key_id.upper(), acting_user=adam, reason="found in a leak")
    assert checks.check(before.token)[0].status == "revoked"


@pytest.mark.parametrize("key_id, reason, field", [
    ("0000000000000000", "why", "key_id"),
    ("", "why", "key_id"),
    (None, "", "reason"),
])
def test_revoking_a_key_refuses_bad_input(issue, adam, key_id, reason, field):
    key = issue().key
    with pytest.raises(Refused) as refused:
        actions.revoke_key(key.key_id if key_id is None else key_id, acting_user=adam, reason=reason)
    assert refused.value.field == field
    assert not SigningKey.objects.filter(revoked_at__isnull=False).exists()


def test_revoking_a_key_twice_is_refused(issue, adam):
    key = issue().key
    actions.revoke_key(key.key_id, acting_user=adam, reason="one")
    with pytest.raises(Refused) as refused:
        actions.revoke_key(key.key_id, acting_user=adam, reason="two")
    assert refused.value.status == 409
