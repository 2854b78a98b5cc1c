"""Offline verification: the published keys and signed revocation list, read from files.

Nothing here imports Django or opens a connection: ``tocsin verify`` (and
``python -m tocsin.attestations.offline``, which needs no Tocsin settings at
all) run on a laptop in a courtroom with the two files downloaded earlier
from ``/api/v1/attestations/keys`` and ``/api/v1/attestations/revocations``.

The keys file is not signed: it is what the verifier chooses to trust,
fetched over HTTPS, and each key's fingerprint is printed on the
certificates it signed for comparison. Each key id must match its public
key, so a keys file cannot claim one key under another's id.

The revocation list is signed by the issuer's current key. A list signed by
a key the keys file does not know, or by a revoked key (whoever stole it
could sign an empty list), or whose signature fails, is refused outright:
verifying without revocations silently would turn "revoked" into "valid".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import nacl.exceptions

from . import verification
from .verification import Key, Revocations, b64decode

MAX_FILE_BYTES = 16 * 1024 * 1024


class BadFile(ValueError):
    """A keys or revocations file that cannot be trusted or read."""


def _timestamp(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("not a timestamp")
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_keys(data: Any) -> dict[str, Key]:
    """``{"keys": [{"key_id", "public_key" (base64url), "revoked_at", ...}]}`` -> keys by id."""
    try:
        found: dict[str, Key] = {}
        for row in data["keys"]:
            public = b64decode(row["public_key"])
            if len(public) != 32 or verification.key_id_for(public) != row["key_id"]:
                raise BadFile(f"key {str(row.get('key_id'))[:20]!r} does not match its public key")
            found[row["key_id"]] = Key(row["key_id"], public, _timestamp(row.get("revoked_at")))
        return found
    except BadFile:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise BadFile(f"not a Tocsin keys file ({type(exc).__name__})") from None


def revocations_document(content: Mapping[str, Any], key_id: str, signing_key: Any) -> dict[str, Any]:
    """The signed revocation list as published (``signing_key``: a PyNaCl SigningKey)."""
    body = verification.canonical(content)
    signature = signing_key.sign(verification.REVOCATIONS_DOMAIN + body).signature
    return {"document": verification.b64encode(body), "key_id": key_id,
            "signature": verification.b64encode(signature), "content": dict(content)}


def load_revocations(data: Any, keys: Mapping[str, Key]) -> tuple[Revocations, str]:
    """Check the list's signature against ``keys``; return it and when it was issued.
    Only the signed ``document`` is read; ``content`` is a copy for people."""
    try:
        key_id, body = data["key_id"], b64decode(data["document"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadFile(f"not a Tocsin revocation list ({type(exc).__name__})") from None
    try:
        signature = b64decode(data["signature"])
    except (KeyError, TypeError, ValueError):
        raise BadFile("the revocation list's signature is missing or damaged") from None
    key = keys.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        raise BadFile(f"the revocation list is signed by key {str(key_id)[:20]!r}, "
                      "which is not in the keys file")
    if key.revoked_at is not None:
        raise BadFile(f"the revocation list is signed by revoked key {key_id}")
    try:
        key.verify_key.verify(verification.REVOCATIONS_DOMAIN + body, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError):
        raise BadFile("the revocation list's signature does not match: it was altered or forged") from None
    try:
        content = json.loads(body)
        revocations = Revocations(frozenset(str(t) for t in content["revoked_tokens"]),
                                  frozenset(str(k) for k in content["revoked_keys"]))
        return revocations, str(content["issued_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadFile(f"the revocation list's content is not readable ({type(exc).__name__})") from None


def _read_json(path: Path) -> Any:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BadFile(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BadFile(f"{path} is too large")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadFile(f"{path} is not JSON") from None


def read_token(token_or_file: str) -> str:
    """A token, a file holding one, or the verify address from the QR code."""
    text = token_or_file
    if not text.startswith("v1.") and len(text) < 4096:
        path = Path(text)
        if path.is_file():
            try:
                text = path.read_bytes()[:verification.MAX_TOKEN_LENGTH * 2].decode("utf-8", "replace")
            except OSError as exc:
                raise BadFile(f"cannot read {path}: {exc.strerror or exc}") from None
    text = text.strip()
    if "token=" in text:
        tokens = parse_qs(urlsplit(text).query).get("token")
        if tokens:
            text = tokens[0]
    return text.strip()


def verify(token_or_file: str, keys_file: Path, revocations_file: Path | None,
           now: dt.datetime | None = None) -> tuple[verification.Result, str]:
    """Exactly what ``tocsin verify`` does, minus the printing: the result and
    a note on the revocation list used (bench/verify.py times this)."""
    keys = load_keys(_read_json(keys_file))
    if revocations_file is not None:
        revocations, issued_at = load_revocations(_read_json(revocations_file), keys)
        note = f"revocation list of {issued_at}"
    else:
        revocations, note = Revocations(), "no revocation list given: a revoked attestation would look valid"
    token = read_token(token_or_file)
    return verification.verify_token(token, keys, revocations, now or dt.datetime.now(dt.UTC)), note


def describe(result: verification.Result) -> list[str]:
    lines = [f"{result.status}: {result.reason}"]
    if result.payload is not None:
        org = result.payload.get("organisation", {})
        name = org.get("name", "")
        if org.get("name_en"):
            name = f"{name} ({org['name_en']})"
        lines.append(f"organisation: {name}, {org.get('country', '')}, ref {org.get('ref', '')}")
        lines.append(f"valid {result.payload.get('valid_from')} to {result.payload.get('valid_until')}, "
                     f"rules {result.payload.get('rules')}, issuer {result.payload.get('issuer')}")
        lines.append(f"token id {result.token_id}, key {result.payload.get('key_id')}")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("token_or_file", metavar="TOKEN_OR_FILE",
                        help="the token (v1....), a file holding it, or the address from the QR code")
    parser.add_argument("--keys", type=Path, default=None,
                        help="keys file from /api/v1/attestations/keys (default: $TOCSIN_ATTESTATION_KEYS)")
    parser.add_argument("--revocations", type=Path, default=None,
                        help="signed revocation list from /api/v1/attestations/revocations")


def run(token_or_file: str, keys_file: Path | None, revocations_file: Path | None,
        out: Any = sys.stdout, err: Any = sys.stderr) -> int:
    """0 only for a valid attestation; 1 for any other answer; 2 if the files are unusable."""
    keys_file = keys_file or (Path(os.environ["TOCSIN_ATTESTATION_KEYS"])
                              if os.environ.get("TOCSIN_ATTESTATION_KEYS") else None)
    if keys_file is None:
        err.write("error: give --keys FILE (download it from /api/v1/attestations/keys)" + "\n")
        return 2
    try:
        result, note = verify(token_or_file, keys_file, revocations_file)
    except BadFile as exc:
        err.write(f"error: {exc}" + "\n")
        return 2
    for line in describe(result):
        out.write(line + "\n")
    (err if revocations_file is None else out).write(f"({note})" + "\n")
    return 0 if result.valid else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tocsin verify",
                                     description="Verify a Tocsin attestation offline.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.token_or_file, args.keys, args.revocations)


if __name__ == "__main__":
    sys.exit(main())
