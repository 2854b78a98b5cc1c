"""verify_token: every answer, and every way a token can be broken (no database)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.attestations import verification
from tocsin.attestations.verification import Revocations, verify_token

from .tokens import NOW, content, make, new_key

SIGNING, KEY = new_key()
KEYS = {KEY.key_id: KEY}
TOKEN = make(SIGNING, KEY)
NONE = Revocations()


def answer(token: str, keys=KEYS, revocations=NONE, now=NOW) -> verification.Result:
    return verify_token(token, keys, revocations, now)


def test_it_answers_valid_with_the_payload():
    result = answer(TOKEN)
    assert result.status == "valid"
    assert result.payload == content(KEY.key_id)
    assert result.token_id == "abcdefghijklmnopqrstuvwxyz"


def test_the_payload_is_canonical_json_signed_with_a_domain_prefix():
    _v, _key_id, payload, signature = TOKEN.split(".")
    body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert body == verification.canonical(content(KEY.key_id))
    assert b'","' in body and b'", "' not in body and b'": ' not in body  # no whitespace
    assert "Байкальская".encode() in body  # UTF-8, not \u escapes
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    KEY.verify_key.verify(verification.DOMAIN + body, raw)
    with pytest.raises(Exception, match="Signature"):
        KEY.verify_key.verify(body, raw)


def test_a_signature_without_the_domain_prefix_is_forged():
    body = verification.canonical(content(KEY.key_id))
    bare = SIGNING.sign(body).signature
    token = f"v1.{KEY.key_id}.{verification.b64encode(body)}.{verification.b64encode(bare)}"
    assert answer(token).status == "forged"


def test_the_token_is_short_enough_for_a_qr_code():
    assert len(TOKEN) < 1200


@pytest.mark.parametrize("broken", [
    "", "   ", "hello", "v2." + TOKEN[3:], TOKEN.replace("v1.", "V1.", 1),
    TOKEN[: len(TOKEN) // 2],            # truncated in the payload
    TOKEN[:-5],                          # truncated signature: wrong length
    TOKEN + "AAAA",                      # signature too long
    TOKEN.rsplit(".", 1)[0],             # no signature
    TOKEN + ".extra",                    # a part too many
    TOKEN.replace(".", "..", 1),
    TOKEN.replace("-", "+").replace("_", "/") if ("-" in TOKEN or "_" in TOKEN) else TOKEN[:-2] + "+/",
    TOKEN[:-1] + "=",                    # padding / wrong alphabet
    TOKEN + "\x00", f"v1.{KEY.key_id}.{'é' * 10}.{'A' * 86}",
    "v1.zzzzzzzzzzzzzzzz." + TOKEN.split(".", 2)[2],   # key id not hex
    "v1.abc." + TOKEN.split(".", 2)[2],                 # key id of the wrong length
    "v1." + "x" * 5000,
])
def test_a_malformed_token_is_forged_with_a_reason(broken):
    result = answer(broken)
    assert result.status == "forged"
    assert result.payload is None
    assert result.reason


def test_a_token_that_is_not_text_is_forged():
    assert answer(None).status == "forged"  # type: ignore[arg-type]


def test_a_payload_edited_by_one_byte_is_forged():
    _v, key_id, payload, signature = TOKEN.split(".")
    body = bytearray(verification.b64decode(payload))
    body[body.index(b"2026-12-31")] = ord("3")  # 2026 -> 3026
    edited = f"v1.{key_id}.{verification.b64encode(bytes(body))}.{signature}"
    assert answer(edited).status == "forged"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_single_byte_change_anywhere_is_never_valid(position, flip):
    _v, key_id, payload, signature = TOKEN.split(".")
    body = bytearray(verification.b64decode(payload) + verification.b64decode(signature))
    body[position % len(body)] ^= flip
    cut = len(verification.b64decode(payload))
    edited = ".".join(["v1", key_id, verification.b64encode(bytes(body[:cut])),
                       verification.b64encode(bytes(body[cut:]))])
    assert answer(edited).status == "forged"


def test_a_valid_signature_over_another_payload_is_forged():
    other = make(SIGNING, KEY, token_id="another-token-id-0000000000", valid_until="2099-01-01")
    head = TOKEN.rsplit(".", 1)[0]
    spliced = head + "." + other.rsplit(".", 1)[1]
    assert answer(spliced).status == "forged"


def test_a_signature_by_another_key_under_our_key_id_is_forged():
    thief, _their_key = new_key()
    assert answer(verification.sign(thief, KEY.key_id, content(KEY.key_id))).status == "forged"


def test_an_unknown_key_is_unknown_key():
    signing, key = new_key()
    result = answer(make(signing, key))
    assert result.status == "unknown_key"
    assert key.key_id in result.reason


def test_a_payload_naming_another_key_id_is_forged():
    # A signed payload whose key id differs from the header's was never ours.
    body = verification.canonical(content("0000000000000000"))
    signature = SIGNING.sign(verification.DOMAIN + body).signature
    token = f"v1.{KEY.key_id}.{verification.b64encode(body)}.{verification.b64encode(signature)}"
    assert answer(token).status == "forged"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"token_id": 1}', b"\xff\xfe",
                                  b'{"token_id": "x", "valid_from": "2026-01-01", "valid_until": "soon"}'])
def test_our_signature_over_something_that_is_not_an_attestation_is_forged(body):
    signature = SIGNING.sign(verification.DOMAIN + body).signature
    token = f"v1.{KEY.key_id}.{verification.b64encode(body)}.{verification.b64encode(signature)}"
    assert answer(token).status == "forged"


def test_a_revoked_attestation_is_revoked():
    result = answer(TOKEN, revocations=Revocations(token_ids=frozenset({"abcdefghijklmnopqrstuvwxyz"})))
    assert result.status == "revoked"
    assert result.payload is not None


@pytest.mark.parametrize("revocations, revoked_at", [
    (Revocations(key_ids=frozenset({KEY.key_id})), None),
    (NONE, NOW - dt.timedelta(days=1)),
])
def test_a_token_under_a_revoked_key_is_revoked(revocations, revoked_at):
    keys = {KEY.key_id: verification.Key(KEY.key_id, KEY.public_key, revoked_at)}
    result = answer(TOKEN, keys=keys, revocations=revocations)
    assert result.status == "revoked"
    assert "key" in result.reason


@pytest.mark.parametrize("now, status", [
    (dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC), "valid"),   # the last day is covered
    (dt.datetime(2027, 1, 1, 0, 0, 0, tzinfo=dt.UTC), "expired"),
    (dt.datetime(2027, 1, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))), "valid"),  # still 31st UTC
    (dt.datetime(2025, 12, 31, 0, 0, tzinfo=dt.UTC), "valid"),         # a day's grace for slow clocks
    (dt.datetime(2025, 12, 30, 23, 59, tzinfo=dt.UTC), "expired"),     # not yet in force
])
def test_expiry_on_both_sides_of_the_boundary(now, status):
    assert answer(TOKEN, now=now).status == status


def test_revocation_outranks_expiry():
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    revoked = Revocations(token_ids=frozenset({"abcdefghijklmnopqrstuvwxyz"}))
    assert answer(TOKEN, revocations=revoked, now=later).status == "revoked"


def test_a_rotated_key_still_verifies_its_tokens():
    new_signing, new = new_key()
    keys = {KEY.key_id: KEY, new.key_id: new}
    assert answer(TOKEN, keys=keys).status == "valid"
    assert answer(make(new_signing, new), keys=keys).status == "valid"


def test_key_ids_are_derived_from_the_public_key():
    assert KEY.key_id == verification.key_id_for(KEY.public_key)
    assert len(KEY.key_id) == 16
    assert verification.fingerprint(KEY.public_key).replace(" ", "").startswith(KEY.key_id)


def test_a_second_spelling_of_the_same_bytes_is_forged():
    # 64 signature bytes fill 85⅓ base64 characters: the last one has 4 unused
    # bits. Setting them decodes to the same bytes, but is not our token.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(TOKEN[-1])
    respelled = TOKEN[:-1] + alphabet[last | 0b1111]
    assert respelled != TOKEN
    assert answer(respelled).status == "forged"
