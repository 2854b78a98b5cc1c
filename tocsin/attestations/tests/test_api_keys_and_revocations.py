"""The published keys and the signed revocation list, and reading them back offline."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tocsin.attestations import actions, offline, verification


def get(url: str):
    response = Client().get(url)
    assert response.status_code == 200
    return response.json()


def test_keys_lists_every_key_with_its_state(issue, adam):
    first = issue().key
    actions.rotate_key(acting_user=adam)
    actions.revoke_key(first.key_id, acting_user=adam, reason="stolen")
    body = get("/api/v1/attestations/keys")
    assert body["algorithm"] == "Ed25519"
    old, new = body["keys"]
    assert old["key_id"] == first.key_id
    assert verification.b64decode(old["public_key"]) == bytes(first.public_key)
    assert old["retired_at"] and old["revoked_at"] and old["revoked_reason"] == "stolen"
    assert new["retired_at"] is None and new["revoked_at"] is None
    assert "sealed_seed" not in json.dumps(body)
    loaded = offline.load_keys(body)
    assert loaded[first.key_id].revoked_at is not None


def test_revocations_are_signed_by_the_current_key_and_read_back(issue, adam):
    kept, revoked = issue(), issue()
    actions.revoke_attestation(revoked, acting_user=adam, reason="test")
    document = get("/api/v1/attestations/revocations")
    keys = offline.load_keys(get("/api/v1/attestations/keys"))
    revocations, issued_at = offline.load_revocations(document, keys)
    assert revocations.token_ids == {revoked.token_id}
    assert kept.token_id not in revocations.token_ids
    assert document["key_id"] == kept.key.key_id and issued_at.endswith("Z")
    assert document["content"]["revoked_tokens"] == [revoked.token_id]


def test_revocations_work_before_anything_was_issued(db):
    document = get("/api/v1/attestations/revocations")
    keys = offline.load_keys(get("/api/v1/attestations/keys"))
    assert offline.load_revocations(document, keys)[0] == verification.Revocations()


def test_revoked_keys_are_listed_and_lists_are_signed_by_the_new_key(issue, adam):
    old = issue().key
    actions.revoke_key(old.key_id, acting_user=adam, reason="stolen")
    document = get("/api/v1/attestations/revocations")
    assert document["key_id"] != old.key_id
    revocations, _at = offline.load_revocations(document, offline.load_keys(get("/api/v1/attestations/keys")))
    assert revocations.key_ids == {old.key_id}


@pytest.mark.parametrize("tamper", ["document", "signature", "key_id", "content_only"])
def test_a_tampered_revocation_list_is_refused(issue, adam, tamper):
    revoked = issue()
    actions.revoke_attestation(revoked, acting_user=adam, reason="test")
    document = get("/api/v1/attestations/revocations")
    keys = offline.load_keys(get("/api/v1/attestations/keys"))
    if tamper == "document":
        content = {**document["content"], "revoked_tokens": []}
        document["document"] = verification.b64encode(verification.canonical(content))
    elif tamper == "signature":
        document["signature"] = verification.b64encode(b"\x00" * 64)
    elif tamper == "key_id":
        document["key_id"] = "0000000000000000"
    else:
        # Only the signed bytes count: editing the human copy changes nothing.
        document["content"]["revoked_tokens"] = []
        assert offline.load_revocations(document, keys)[0].token_ids == {revoked.token_id}
        return
    with pytest.raises(offline.BadFile):
        offline.load_revocations(document, keys)


def test_a_list_signed_by_a_revoked_key_is_refused(issue, adam):
    key = issue().key
    document = get("/api/v1/attestations/revocations")
    actions.revoke_key(key.key_id, acting_user=adam, reason="stolen")
    keys = offline.load_keys(get("/api/v1/attestations/keys"))
    with pytest.raises(offline.BadFile, match="revoked key"):
        offline.load_revocations(document, keys)


@pytest.mark.parametrize("data", [
    {}, {"keys": "x"}, {"keys": [{"key_id": "x"}]}, [],
    {"keys": [{"key_id": "0000000000000000", "public_key": verification.b64encode(b"\x01" * 32)}]},
    {"keys": [{"key_id": "0000000000000000", "public_key": "###"}]},
])
def test_a_bad_keys_file_is_refused(data):
    with pytest.raises(offline.BadFile):
        offline.load_keys(data)
