"""`tocsin adduser USERNAME --team TEAM`: a responder, their team and their key pair."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tocsin.accounts.models import Membership, ResponderKey, Team, User
from tocsin.accounts.tests.helpers import all_stored_bytes, contains_any_encoding
from tocsin.audit.models import Entry
from tocsin.conftest import PASSWORD
from tocsin.crypto import keys

pytestmark = pytest.mark.django_db
RECOVERY_KEY = re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){12}\b")


def adduser(*args: str) -> str:
    out = io.StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def counts() -> tuple[int, ...]:
    return (User.objects.count(), Team.objects.count(), Membership.objects.count(),
            ResponderKey.objects.count(), Entry.objects.count())


def test_it_creates_the_responder_the_team_and_the_membership(password_file):
    adduser("nadia", "--team", "armenia", "--password-file", str(password_file))
    user = User.objects.get(username="nadia")
    assert user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser
    membership = Membership.objects.get(user=user)
    assert membership.team.name == "armenia"
    assert membership.role == Membership.Role.RESPONDER


def test_it_joins_an_existing_team(password_file, rita):
    adduser("nadia", "--team", "default", "--role", "shift_lead", "--password-file", str(password_file))
    assert Team.objects.filter(name="default").count() == 1
    membership = Membership.objects.get(user__username="nadia")
    assert (membership.team.name, membership.role) == ("default", Membership.Role.SHIFT_LEAD)


def test_it_makes_a_key_pair_whose_private_half_is_stored_only_wrapped(password_file):
    output = adduser("nadia", "--team", "armenia", "--password-file", str(password_file))
    key = ResponderKey.objects.get(user__username="nadia")
    wrapped = keys.WrappedKey(bytes(key.wrapped_private_key), bytes(key.salt), key.opslimit,
                              key.memlimit)
    private = keys.unwrap_with_password(wrapped, PASSWORD)
    recovery_key = RECOVERY_KEY.search(output).group(0)
    assert keys.unwrap_with_recovery_key(bytes(key.recovery_wrapped_private_key), recovery_key) == private

    stored = all_stored_bytes()
    assert not contains_any_encoding(stored, private)
    assert recovery_key.encode() not in stored
    assert recovery_key.replace("-", "").encode() not in stored


def test_it_prints_the_recovery_key_once(password_file):
    output = adduser("nadia", "--team", "armenia", "--password-file", str(password_file))
    assert len(RECOVERY_KEY.findall(output)) == 1
    assert "shown once" in output


def test_it_gives_each_responder_their_own_keys(password_file):
    first = adduser("nadia", "--team", "armenia", "--password-file", str(password_file))
    second = adduser("oleg", "--team", "armenia", "--password-file", str(password_file))
    assert RECOVERY_KEY.search(first).group(0) != RECOVERY_KEY.search(second).group(0)
    public_keys = {bytes(k) for k in ResponderKey.objects.values_list("public_key", flat=True)}
    assert len(public_keys) == 2


def test_it_audits_the_creation(password_file):
    adduser("nadia", "--team", "armenia", "--password-file", str(password_file))
    entry = Entry.objects.get(action="responder.created")
    assert entry.target == "nadia"
    assert entry.detail == {"team": "armenia"}


def test_it_can_make_an_administrator(password_file):
    adduser("nadia", "--team", "armenia", "--admin", "--password-file", str(password_file))
    user = User.objects.get(username="nadia")
    assert user.is_staff and user.is_superuser
    assert ResponderKey.objects.filter(user=user).exists()


def test_it_prompts_for_the_password_twice(monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    adduser("nadia", "--team", "armenia")
    assert User.objects.get(username="nadia").check_password(PASSWORD)


def test_it_refuses_two_different_answers_at_the_prompt(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="do not match"):
        adduser("nadia", "--team", "armenia")
    assert counts() == (0, 0, 0, 0, 0)


def test_it_refuses_a_duplicate_username(password_file, rita):
    before = counts()
    with pytest.raises(CommandError, match="rita"):
        adduser("rita", "--team", "belarus", "--password-file", str(password_file))
    assert counts() == before
    assert not Team.objects.filter(name="belarus").exists()


def test_it_refuses_an_unreadable_password_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        adduser("nadia", "--team", "armenia", "--password-file", str(tmp_path / "missing"))
    assert counts() == (0, 0, 0, 0, 0)


def test_it_refuses_a_password_file_that_is_a_folder(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        adduser("nadia", "--team", "armenia", "--password-file", str(tmp_path))
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("weak", ["short", "123456789012345", "password1234", ""])
def test_it_refuses_a_weak_password(tmp_path, weak):
    path = tmp_path / "password"
    path.write_text(weak, encoding="utf-8")
    with pytest.raises(CommandError, match=r"^password: "):
        adduser("nadia", "--team", "armenia", "--password-file", str(path))
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("username", ["", "two words", "semi;colon", "x" * 151])
def test_it_refuses_an_invalid_username(password_file, username):
    with pytest.raises(CommandError, match=r"^username: "):
        adduser(username, "--team", "armenia", "--password-file", str(password_file))
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("team", ["", "Two Words", "../etc", "x" * 65])
def test_it_refuses_an_invalid_team_name(password_file, team):
    with pytest.raises(CommandError, match=r"^team: "):
        adduser("nadia", "--team", team, "--password-file", str(password_file))
    assert counts() == (0, 0, 0, 0, 0)


def test_the_new_responder_receives_reports(password_file, report, logged_in):
    adduser("nadia", "--team", "default", "--password-file", str(password_file))
    _, reference = report()
    response = logged_in(User.objects.get(username="nadia")).get(f"/staff/cases/{reference}/")
    assert response.status_code == 200
    assert "took every computer" in response.content.decode()


def test_it_accepts_the_longest_username(password_file, logged_in):
    # The audit log names the responder; its column must hold any valid username.
    username = "n" * 150
    adduser(username, "--team", "armenia", "--password-file", str(password_file))
    user = User.objects.get(username=username)
    assert Entry.objects.get(action="responder.created").target == username
    assert logged_in(user).get("/staff/").status_code == 200
