"""/accounts/recover/: a forgotten password, and the recovery key that saves the cases."""

import re

import pytest
from django.test import Client

from tocsin.accounts.actions import create_responder
from tocsin.accounts.models import ResponderKey, User
from tocsin.accounts.tests.helpers import private_key_of
from tocsin.audit.models import Entry
from tocsin.conftest import PASSWORD, pass_second_factor
from tocsin.crypto import keys

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase for nadia"
RECOVERY_KEY = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){12}")


@pytest.fixture
def nadia() -> tuple[User, str]:
    created = create_responder("nadia", PASSWORD, team_name="default", validate=False)
    return created.user, created.recovery_key


def recover(username: str, recovery_key: str, new_password: str = NEW_PASSWORD):
    return Client().post("/accounts/recover/", {
        "username": username, "recovery_key": recovery_key, "new_password": new_password,
    })


def stored(user: User) -> tuple[bytes, bytes, str]:
    key = ResponderKey.objects.get(user=user)
    password = User.objects.get(pk=user.pk).password
    return bytes(key.wrapped_private_key), bytes(key.recovery_wrapped_private_key), password


def test_it_shows_the_form(db):
    response = Client().get("/accounts/recover/")
    assert response.status_code == 200
    assert 'name="recovery_key"' in response.content.decode()


def test_it_sets_a_new_password_and_shows_a_fresh_recovery_key(nadia):
    user, old_recovery_key = nadia
    private = private_key_of(user, PASSWORD)
    response = recover("nadia", old_recovery_key)
    assert response.status_code == 200
    fresh = RECOVERY_KEY.findall(response.content.decode())
    assert len(fresh) == 1
    assert fresh[0] != old_recovery_key
    assert response["Cache-Control"].startswith("max-age=0")
    assert private_key_of(user, NEW_PASSWORD) == private
    key = ResponderKey.objects.get(user=user)
    assert keys.unwrap_with_recovery_key(bytes(key.recovery_wrapped_private_key), fresh[0]) == private


def test_it_accepts_the_recovery_key_as_people_type_it(nadia):
    _, recovery_key = nadia
    typed = " ".join(recovery_key.lower().split("-"))
    assert recover("nadia", typed).status_code == 200


def test_the_new_password_logs_in_and_reads_cases(nadia, report):
    _, reference = report()
    recover("nadia", nadia[1])
    client = Client()
    assert client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/",
                       {"username": "nadia", "password": NEW_PASSWORD}).status_code == 302
    assert client.get(f"/staff/cases/{reference}/").status_code == 302  # the code is still asked
    pass_second_factor(client, nadia[0])
    assert client.get(f"/staff/cases/{reference}/").status_code == 200


def test_the_old_recovery_key_stops_working(nadia):
    user, old_recovery_key = nadia
    recover("nadia", old_recovery_key)
    before = stored(user)
    response = recover("nadia", old_recovery_key, "yet another passphrase here")
    assert response.status_code == 400
    assert stored(user) == before


def test_it_ends_sessions_opened_with_the_forgotten_password(nadia, logged_in):
    client = logged_in(nadia[0])
    recover("nadia", nadia[1])
    assert client.get("/staff/").status_code == 302


def test_it_audits_the_recovery(nadia):
    recover("nadia", nadia[1])
    assert Entry.objects.filter(action="responder.recovered", actor=nadia[0]).count() == 1


def test_it_refuses_a_wrong_recovery_key(nadia):
    user, _ = nadia
    before = stored(user)
    response = recover("nadia", keys.new_recovery_key())
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_recovery_key-errors"' in content
    assert "do not match" in content
    assert stored(user) == before
    assert not Entry.objects.filter(action="responder.recovered").exists()


def test_it_refuses_another_responders_recovery_key(nadia, rita):
    before = stored(rita)
    assert recover("rita", nadia[1]).status_code == 400
    assert stored(rita) == before


def test_it_gives_an_unknown_user_the_same_answer(nadia):
    response = recover("nobody", nadia[1])
    assert response.status_code == 400
    assert "do not match" in response.content.decode()


@pytest.mark.parametrize("username", ["nadia", "nobody", "adam"])
def test_it_does_the_same_work_whether_or_not_the_username_exists(nadia, adam, monkeypatch, username):
    """So the time an answer takes does not tell who has an account."""
    opened = []
    real = keys.unwrap_with_recovery_key

    def counting(ciphertext: bytes, recovery_key: str) -> bytes:
        opened.append(len(ciphertext))
        return real(ciphertext, recovery_key)

    monkeypatch.setattr(keys, "unwrap_with_recovery_key", counting)
    assert recover(username, keys.new_recovery_key()).status_code == 400
    assert opened == [len(ResponderKey.objects.get(user=nadia[0]).recovery_wrapped_private_key)]


def test_it_refuses_a_user_without_a_key_pair(adam):
    before = User.objects.get(pk=adam.pk).password
    response = recover("adam", keys.new_recovery_key())
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert User.objects.get(pk=adam.pk).password == before


def test_it_refuses_a_deactivated_responder(nadia):
    user, recovery_key = nadia
    User.objects.filter(pk=user.pk).update(is_active=False)
    before = stored(user)
    assert recover("nadia", recovery_key).status_code == 400
    assert stored(user) == before


@pytest.mark.parametrize("weak", ["short", "1234567890123", "password1234"])
def test_it_refuses_a_weak_new_password_and_keeps_the_recovery_key(nadia, weak):
    user, recovery_key = nadia
    before = stored(user)
    response = recover("nadia", recovery_key, weak)
    assert response.status_code == 400
    assert 'id="id_new_password-errors"' in response.content.decode()
    assert stored(user) == before
    assert recover("nadia", recovery_key).status_code == 200
