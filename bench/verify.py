"""Attestation verification throughput, offline and through the server, each beside its floor.

(a) Offline: the code path of ``tocsin verify`` on 10,000 distinct tokens,
    beside raw PyNaCl ``VerifyKey.verify`` of the very same signed bytes, in
    the same run. Two figures for the command's path:

    - per token, files loaded once (``read_token`` + ``verify_token`` with the
      keys and the signed revocation list already read): what a verifier
      checking a stack of certificates pays per certificate;
    - per invocation (``offline.verify``: read and parse both files, check the
      revocation list's signature, then the token): what one ``tocsin verify``
      run pays, minus Python's start-up. It verifies two signatures (the list's
      and the token's), so it cannot reach half the raw rate by construction.

(b) Online: ``GET /api/v1/attestations/verify?token=`` requests per second
    through ``tocsin serve`` (gunicorn and the alert worker), beside
    ``GET /bench/baseline-get`` (bench/urls.py: a bare Django view that
    stores one row and answers JSON) on the same server, alternating phases.
    Each check reads the keys and the attestation, writes its ``Verification``
    row and, for the first check of an attestation in 5 minutes, an alert to
    the issuer (who has a webhook channel to a local receiver here), all in one
    transaction. --attestations distinct attestations are issued and cycled
    through, so the first round alerts once per attestation and later checks
    are coalesced, as in production.

Usage, from the repository root:
    .venv/bin/python -m bench.verify
    .venv/bin/python -m bench.verify --offline-only
    .venv/bin/python -m bench.verify --database-url postgres://postgres@127.0.0.1:5432/tocsin_vbench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import nacl.signing

from bench.intake import Bench, Phase, Plan, load, print_phase, summarise
from tocsin.attestations import offline, verification

OFFLINE_TARGET = 0.5
ONLINE_TARGET = 0.7
VERIFY_PATH = "/api/v1/attestations/verify?token="
BASELINE_PATH = "/bench/baseline-get?token="


# -- (a) offline -----------------------------------------------------------------------------


def _content(key_id: str, n: int) -> dict[str, object]:
    return {
        "token_id": f"{n:026d}", "key_id": key_id, "issuer": "Tocsin", "issued_at": "2026-01-01T00:00:00Z",
        "organisation": {"ref": f"ORG-{n}", "name": f"Правозащитный центр № {n}",
                         "name_en": f"Human Rights Centre No. {n}", "kind": "ngo", "country": "RU",
                         "identifiers": {"inn": "3808017374", "ogrn": "1023801003313"}},
        "scope": "Software installed on the organisation's computers and on staff home computers used for "
                 "its work, regardless of origin.",
        "valid_from": "2026-01-01", "valid_until": "2030-12-31", "rules": "2010+until-2030-12-31",
    }


def offline_bench(count: int, repeats: int) -> tuple[float, float, float]:
    """(raw, per token, per invocation) verifications per second, best of ``repeats``."""
    signing = nacl.signing.SigningKey.generate()
    public = bytes(signing.verify_key)
    key_id = verification.key_id_for(public)
    tokens = [verification.sign(signing, key_id, _content(key_id, n)) for n in range(count)]
    folder = Path(tempfile.mkdtemp(prefix="tocsin-verify-bench-"))
    keys_file, revocations_file = folder / "keys.json", folder / "revocations.json"
    keys_file.write_text(json.dumps({"algorithm": "Ed25519", "keys": [{
        "key_id": key_id, "public_key": verification.b64encode(public), "created_at": "2026-01-01T00:00:00Z",
        "retired_at": None, "revoked_at": None, "revoked_reason": ""}]}))
    revoked = [f"r{n:025d}" for n in range(1000)]  # a list of realistic length, none of ours
    revocations_file.write_text(json.dumps(offline.revocations_document(
        {"issued_at": "2026-06-01T00:00:00Z", "key_id": key_id, "revoked_tokens": revoked,
         "revoked_keys": []}, key_id, signing)))
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    # The raw floor: the same signed bytes, decoded before the clock starts.
    raw_key = nacl.signing.VerifyKey(public)
    signed = []
    for token in tokens:
        _v, _k, payload, signature = token.split(".")
        signed.append((verification.DOMAIN + verification.b64decode(payload),
                       verification.b64decode(signature)))
    keys = offline.load_keys(json.loads(keys_file.read_text()))
    revocations, _issued = offline.load_revocations(json.loads(revocations_file.read_text()), keys)

    def raw() -> None:
        for message, signature in signed:
            raw_key.verify(message, signature)

    def per_token() -> None:
        for token in tokens:
            if not verification.verify_token(offline.read_token(token), keys, revocations, now).valid:
                raise SystemExit("a bench token did not verify")

    def per_invocation() -> None:
        for token in tokens:
            if not offline.verify(token, keys_file, revocations_file, now)[0].valid:
                raise SystemExit("a bench token did not verify")

    best = {}
    for name, run in (("raw", raw), ("token", per_token), ("invocation", per_invocation)):
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            run()
            times.append(time.perf_counter() - began)
        best[name] = count / min(times)
    for path in (keys_file, revocations_file):
        path.unlink()
    folder.rmdir()
    return best["raw"], best["token"], best["invocation"]


# -- (b) online ------------------------------------------------------------------------------


def _answered_valid(path: str, status: int, answer: bytes) -> bool:
    return status == 200 and (b'"valid"' in answer or path.startswith("/bench/"))


def check_plan(paths: list[str]) -> Plan:
    """GET each path in turn; a check counts when it answers "valid" (the
    baseline's rows, when they are stored)."""
    return Plan("GET", [(path, None) for path in paths], {"Accept": "application/json"}, _answered_valid)


ISSUE_SCRIPT = """
import datetime
from tocsin.accounts.models import User
from tocsin.attestations.actions import issue_attestation
from tocsin.registry.models import Organisation
issuer = User.objects.get(username="bench-responder-1")
for n in range({count}):
    org = Organisation.objects.create(ref=f"BENCH-{{n}}", kind="ngo", name=f"Правозащитный центр № {{n}}",
                                      name_en=f"Human Rights Centre No. {{n}}", country="RU",
                                      status="enrolled", public_fields=["name_en"])
    print(issue_attestation(org, acting_user=issuer, valid_until=datetime.date(2030, 12, 31)).token)
"""

STATS_SCRIPT = """
from tocsin.attestations.models import Verification
from tocsin.alerts.models import Alert
print(Verification.objects.count(), Verification.objects.filter(alerted=True).count(),
      Alert.objects.filter(event="attestation.checked").count())
"""


def online_bench(args: argparse.Namespace) -> float | None:
    from tocsin.alerts.receivers import WebhookReceiver

    bench = Bench(argparse.Namespace(responders=1, workers=args.workers, keep=args.keep))
    try:
        with WebhookReceiver() as hook:
            if args.database_url:
                bench.create_database(args.database_url)
            print(f"database: {'PostgreSQL ' + str(bench.pg_name) if args.database_url else 'SQLite'}",
                  flush=True)
            bench.setup()
            bench.tocsin("channel", "add", "--user", "bench-responder-1", hook.url, "--allow-private")
            tokens = bench.tocsin("shell", "--verbosity", "0", "-c",
                                  ISSUE_SCRIPT.format(count=args.attestations)).split()
            tokens = [t for t in tokens if t.startswith("v1.")]
            print(f"issued {len(tokens)} attestations; token length {len(tokens[0])}", flush=True)
            verify_paths = [VERIFY_PATH + quote(t, safe="") for t in tokens]
            baseline_paths = [BASELINE_PATH + quote(t, safe="") for t in tokens]
            port = bench.start()
            print(f"server: tocsin serve ({bench.web_workers()} gunicorn workers); {args.clients} clients "
                  f"over {min(args.procs, args.clients)} processes; {args.seconds:g} s a phase", flush=True)
            for name, paths in (("baseline", baseline_paths), ("verify", verify_paths)):
                load(name, port, check_plan(paths), clients=args.clients, procs=args.procs,
                     seconds=args.warmup)
            phases: dict[str, list[Phase]] = {"baseline": [], "verify": []}
            for round_ in range(1, args.rounds + 1):
                print(f"round {round_}/{args.rounds}", flush=True)
                for name, paths in (("baseline", baseline_paths), ("verify", verify_paths)):
                    phase = load(name, port, check_plan(paths), clients=args.clients, procs=args.procs,
                                 seconds=args.seconds, server_cpu=bench.server_cpu)
                    phases[name].append(phase)
                    print_phase(phase)
            time.sleep(7)  # let the worker announce the checks (every 5 s) and deliver the alerts
            bench.stop()
            checks, alerted, alerts = (int(x) for x in bench.tocsin(
                "shell", "--verbosity", "0", "-c", STATS_SCRIPT).split()[-3:])
            base, online = summarise("baseline", phases["baseline"]), summarise("verify", phases["verify"])
            ratio = online.rate / base.rate if base.rate else float("nan")
            print(f"\n{'':10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'server CPU ms/req':>19}")
            for s in (base, online):
                cpu = f"{s.cpu_ms:.2f}" if s.cpu_ms is not None else "-"
                print(f"{s.name:10}{s.rate:9.1f}{s.p50:9.1f}{s.p99:9.1f}{s.errors:8d}{cpu:>19}")
            print(f"ratio verify/baseline: {ratio:.2f} (target >= {ONLINE_TARGET}) -- "
                  f"{'met' if ratio >= ONLINE_TARGET else 'NOT met'}")
            print(f"recorded: {checks} checks, {alerted} of them alerted ({alerts} issuer alerts written, "
                  f"{len(hook.received)} delivered to the local webhook)")
            return ratio
    finally:
        bench.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=10_000, help="offline: distinct tokens (10000)")
    parser.add_argument("--repeats", type=int, default=3, help="offline: runs of each, best kept (3)")
    parser.add_argument("--offline-only", action="store_true")
    parser.add_argument("--attestations", type=int, default=500, help="online: attestations issued (500)")
    parser.add_argument("--seconds", type=float, default=15.0, help="online: length of each phase (15)")
    parser.add_argument("--rounds", type=int, default=2, help="online: baseline+verify pairs (2)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (tocsin serve's default)")
    parser.add_argument("--database-url", help="postgres://USER@HOST:PORT/NAME, created and dropped")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    raw, per_token, per_invocation = offline_bench(args.tokens, args.repeats)
    print(f"offline, {args.tokens} distinct tokens:")
    print(f"  raw PyNaCl VerifyKey.verify   {raw:10.0f} /s")
    print(f"  tocsin verify, per token      {per_token:10.0f} /s  ratio {per_token / raw:.2f} "
          f"(target >= {OFFLINE_TARGET}) -- {'met' if per_token / raw >= OFFLINE_TARGET else 'NOT met'}")
    print(f"  tocsin verify, per invocation {per_invocation:10.0f} /s  ratio {per_invocation / raw:.2f} "
          "(reads both files and checks the revocation list's signature too)", flush=True)
    if args.offline_only:
        return 0
    try:
        online_bench(args)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.exit(main())
