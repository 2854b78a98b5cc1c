"""``tocsin verify``: offline, with no database reachable; exit 0 only for valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tocsin.attestations import actions, verification

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def published(tmp_path, issue, adam):
    """A valid and a revoked attestation, and the two files a verifier downloads."""
    valid, revoked = issue(), issue()
    actions.revoke_attestation(revoked, acting_user=adam, reason="test")
    keys = tmp_path / "keys.json"
    keys.write_bytes(Client().get("/api/v1/attestations/keys").content)
    revocations = tmp_path / "revocations.json"
    revocations.write_bytes(Client().get("/api/v1/attestations/revocations").content)
    return valid, revoked, keys, revocations


def offline_env(**extra: str) -> dict[str, str]:
    """No database anywhere: a PostgreSQL URL on a port nothing listens on."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
            "TOCSIN_SECRET_KEY": "an-unrelated-secret-on-the-verifiers-laptop",
            "TOCSIN_DATA_DIR": str(Path(settings.DATA_DIR) / "nowhere"),
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", **extra}


def tocsin_verify(*args: str, module: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    argv = ([sys.executable, "-m", "tocsin.attestations.offline", *args] if module
            else [sys.executable, "-m", "tocsin", "verify", *args])
    return subprocess.run(argv, cwd=REPO, env=offline_env(**env), capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False)


def test_valid_exits_0_with_no_database(published):
    valid, _revoked, keys, revocations = published
    done = tocsin_verify(valid.token, "--keys", str(keys), "--revocations", str(revocations))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("valid:")
    assert "Baikal Environmental Wave" in done.stdout


def test_revoked_exits_1_with_the_reason(published):
    _valid, revoked, keys, revocations = published
    done = tocsin_verify(revoked.token, "--keys", str(keys), "--revocations", str(revocations))
    assert done.returncode == 1
    assert done.stdout.startswith("revoked: This attestation has been revoked")


def test_a_token_in_a_file_or_the_qr_address(published, tmp_path):
    valid, _revoked, keys, revocations = published
    saved = tmp_path / "token.txt"
    saved.write_text(valid.token + "\n")
    assert tocsin_verify(str(saved), "--keys", str(keys), "--revocations", str(revocations)).returncode == 0
    address = tmp_path / "qr.txt"
    address.write_text(f"https://tocsin.example/verify/?token={valid.token}")
    assert tocsin_verify(str(address), "--keys", str(keys), "--revocations", str(revocations)).returncode == 0


@pytest.mark.parametrize("mangle, status", [
    (lambda t: t[:-10], "forged"),
    (lambda t: t[:50] + ("x" if t[50] != "x" else "y") + t[51:], "forged"),
    (lambda t: "v1.0123456789abcdef." + t.split(".", 2)[2], "unknown_key"),
])
def test_broken_tokens_exit_1(published, mangle, status):
    valid, _revoked, keys, revocations = published
    done = tocsin_verify(mangle(valid.token), "--keys", str(keys), "--revocations", str(revocations))
    assert done.returncode == 1
    assert done.stdout.startswith(f"{status}:")


def test_it_runs_without_django_settings_at_all(published):
    valid, _revoked, keys, revocations = published
    done = tocsin_verify(valid.token, "--keys", str(keys), "--revocations", str(revocations), module=True,
                         TOCSIN_SECRET_KEY="")
    assert done.returncode == 0, done.stderr


def test_without_a_revocation_list_it_warns(published):
    _valid, revoked, keys, _revocations = published
    done = tocsin_verify(revoked.token, "--keys", str(keys))
    assert done.returncode == 0  # it cannot know
    assert "no revocation list" in done.stderr


def test_without_keys_it_says_where_to_get_them(published):
    valid, *_rest = published
    done = tocsin_verify(valid.token)
    assert done.returncode == 2
    assert "--keys" in done.stderr


def test_a_tampered_revocation_list_is_refused(published, tmp_path):
    valid, _revoked, keys, revocations = published
    document = json.loads(revocations.read_text())
    signature = bytearray(verification.b64decode(document["signature"]))
    signature[0] ^= 1
    document["signature"] = verification.b64encode(bytes(signature))
    revocations.write_text(json.dumps(document))
    done = tocsin_verify(valid.token, "--keys", str(keys), "--revocations", str(revocations))
    assert done.returncode == 2
    assert "signature does not match" in done.stderr
    document["signature"] = "not base64!"
    revocations.write_text(json.dumps(document))
    done = tocsin_verify(valid.token, "--keys", str(keys), "--revocations", str(revocations))
    assert done.returncode == 2
    assert "signature is missing or damaged" in done.stderr


@pytest.mark.parametrize("content", [b"", b"not json", b"\xff\xfe", b'{"keys": 1}'])
def test_an_unreadable_keys_file_is_refused(published, tmp_path, content):
    valid, *_rest = published
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    done = tocsin_verify(valid.token, "--keys", str(bad))
    assert done.returncode == 2 and done.stderr.startswith("error:")
    missing = tocsin_verify(valid.token, "--keys", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
