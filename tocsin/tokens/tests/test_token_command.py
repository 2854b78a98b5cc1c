"""``tocsin token create|list|revoke``."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from tocsin.audit.models import Entry
from tocsin.tokens import minting
from tocsin.tokens.models import ApiToken

SHAPE = re.compile(r"tocsin_[a-z2-7]{8}_[a-z2-7]{40}")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_token_once_and_stores_only_its_hash(db):
    output = run("create", "--scope", "screening", "--name", "Enforcement desk")
    tokens = SHAPE.findall(output)
    assert len(tokens) == 1
    token = tokens[0]
    stored = ApiToken.objects.get()
    assert stored.name == "Enforcement desk"
    assert stored.scope == "screening"
    assert token.startswith(f"tocsin_{stored.prefix}_")
    assert stored.hash == minting.digest(token)
    assert stored.requests_per_minute == 600


def test_the_secret_appears_nowhere_in_a_database_dump(db):
    token = SHAPE.findall(run("create", "--scope", "screening", "--name", "Firm"))[0]
    dump = io.StringIO()
    # Every table a token creation writes to (the token and the audit log).
    call_command("dumpdata", "tokens", "audit", stdout=dump)
    secret = token.rsplit("_", 1)[1]
    assert token not in dump.getvalue()
    assert secret not in dump.getvalue()
    assert secret[:12] not in dump.getvalue()


def test_create_is_audited_with_the_operator_as_nobody(db):
    run("create", "--scope", "screening", "--name", "Firm", "--rate", "60")
    entry = Entry.objects.get(action="token.created")
    assert entry.actor_id is None
    prefix = ApiToken.objects.get().prefix
    assert entry.target == f"token:{prefix}"
    assert entry.detail == {"name": "Firm", "scope": "screening", "requests_per_minute": 60}


def test_every_token_is_different(db):
    tokens = {SHAPE.findall(run("create", "--scope", "screening", "--name", f"F{i}"))[0] for i in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize(("args", "field"), [
    (["--scope", "screening", "--name", "   "], "name"),
    (["--scope", "screening", "--name", "x" * 101], "name"),
    (["--scope", "screening", "--name", "F", "--rate", "0"], "rate"),
    (["--scope", "screening", "--name", "F", "--rate", "-5"], "rate"),
])
def test_create_refuses_bad_input_naming_it_and_stores_nothing(db, args, field):
    with pytest.raises(CommandError, match=f"^{field}: "):
        run("create", *args)
    assert not ApiToken.objects.exists()
    assert not Entry.objects.exists()


@pytest.mark.parametrize("args", [
    ["--scope", "everything", "--name", "F"], ["--name", "F"], ["--scope", "screening"],
    ["--scope", "screening", "--name", "F", "--rate", "many"],
])
def test_create_refuses_unknown_scopes_and_missing_options(db, args):
    with pytest.raises(CommandError):
        run("create", *args)
    assert not ApiToken.objects.exists()


def test_list_shows_prefixes_names_and_scopes_never_secrets(db):
    token = SHAPE.findall(run("create", "--scope", "screening", "--name", "Firm A"))[0]
    prefix = ApiToken.objects.get().prefix
    listing = run("list")
    assert prefix in listing
    assert "Firm A" in listing and "screening" in listing
    assert token not in listing and token.rsplit("_", 1)[1] not in listing


def test_list_hides_revoked_tokens_unless_asked(db):
    run("create", "--scope", "screening", "--name", "Gone")
    prefix = ApiToken.objects.get().prefix
    run("revoke", prefix)
    assert prefix not in run("list")
    assert prefix in run("list", "--all")


def test_revoke_stops_the_token_and_is_audited(db):
    run("create", "--scope", "screening", "--name", "Leaked")
    prefix = ApiToken.objects.get().prefix
    output = run("revoke", prefix.upper(), "--reason", "posted in a chat")
    assert "Revoked token" in output
    assert ApiToken.objects.get().revoked_at is not None
    entry = Entry.objects.get(action="token.revoked")
    assert entry.actor_id is None
    assert entry.detail == {"name": "Leaked", "reason": "posted in a chat"}


def test_revoke_refuses_an_unknown_prefix(db):
    with pytest.raises(CommandError, match=r"^prefix: "):
        run("revoke", "zzzzzzzz")
    assert not Entry.objects.exists()


def test_revoke_refuses_a_token_revoked_before(db):
    run("create", "--scope", "screening", "--name", "Twice")
    prefix = ApiToken.objects.get().prefix
    run("revoke", prefix)
    with pytest.raises(CommandError, match="already revoked"):
        run("revoke", prefix)
    assert Entry.objects.filter(action="token.revoked").count() == 1


def test_a_subcommand_is_required(db):
    with pytest.raises(CommandError):
        run()
