"""/accounts/password/: a new password re-wraps the private key; nothing is lost."""

import pytest
from django.test import Client

from tocsin.accounts.actions import create_responder
from tocsin.accounts.models import ResponderKey, User
from tocsin.accounts.tests.helpers import private_key_of
from tocsin.audit.models import Entry
from tocsin.conftest import PASSWORD, authenticator, pass_second_factor
from tocsin.crypto import keys
from tocsin.crypto.boxes import DecryptionError

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase for nadia"


@pytest.fixture
def nadia() -> tuple[User, str]:
    """A responder of the default team, with the recovery key shown at set-up."""
    created = create_responder("nadia", PASSWORD, team_name="default", validate=False)
    return created.user, created.recovery_key


def change(client: Client, old: str = PASSWORD, new: str = NEW_PASSWORD):
    return client.post("/accounts/password/", {"old_password": old, "new_password": new})


def test_it_shows_the_form(nadia, logged_in):
    response = logged_in(nadia[0]).get("/accounts/password/")
    assert response.status_code == 200
    assert 'name="new_password"' in response.content.decode()


def test_it_needs_a_login(db):
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_rewraps_the_private_key(nadia, logged_in):
    user, _ = nadia
    private = private_key_of(user, PASSWORD)
    response = change(logged_in(user))
    assert response.status_code == 302
    assert private_key_of(user, NEW_PASSWORD) == private
    with pytest.raises(DecryptionError):
        private_key_of(user, PASSWORD)


def test_it_keeps_cases_readable_in_the_same_session(nadia, logged_in, report):
    _, reference = report()
    client = logged_in(nadia[0])
    change(client)
    response = client.get(f"/staff/cases/{reference}/")
    assert response.status_code == 200
    assert "took every computer" in response.content.decode()


def test_it_keeps_cases_readable_after_logging_in_again(nadia, report):
    _, reference = report()
    user = nadia[0]
    authenticator(user)
    client = Client()
    client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    pass_second_factor(client, user)
    change(client)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "nadia", "password": NEW_PASSWORD})
    pass_second_factor(client, user)
    assert client.get(f"/staff/cases/{reference}/").status_code == 200


def test_the_old_password_no_longer_logs_in(nadia, logged_in):
    change(logged_in(nadia[0]))
    response = Client().post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    assert response.status_code == 200


def test_the_recovery_key_still_works(nadia, logged_in):
    user, recovery_key = nadia
    private = private_key_of(user, PASSWORD)
    change(logged_in(user))
    key = ResponderKey.objects.get(user=user)
    assert keys.unwrap_with_recovery_key(bytes(key.recovery_wrapped_private_key), recovery_key) == private


def test_it_ends_the_responders_other_sessions(nadia, logged_in):
    user, _ = nadia
    other = logged_in(user)
    change(logged_in(user))
    assert other.get("/staff/").status_code == 302


def test_it_audits_the_change(nadia, logged_in):
    change(logged_in(nadia[0]))
    assert Entry.objects.filter(action="responder.password_changed", actor=nadia[0]).count() == 1


def test_it_refuses_a_wrong_current_password(nadia, logged_in):
    user, _ = nadia
    before = bytes(ResponderKey.objects.get(user=user).wrapped_private_key)
    response = change(logged_in(user), old="not my password at all")
    assert response.status_code == 400
    assert 'id="id_old_password-errors"' in response.content.decode()
    assert bytes(ResponderKey.objects.get(user=user).wrapped_private_key) == before
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short", "1234567890123", "password1234", ""])
def test_it_refuses_a_weak_new_password(nadia, logged_in, weak):
    user, _ = nadia
    before = bytes(ResponderKey.objects.get(user=user).wrapped_private_key)
    response = change(logged_in(user), new=weak)
    assert response.status_code == 400
    assert 'id="id_new_password-errors"' in response.content.decode()
    assert bytes(ResponderKey.objects.get(user=user).wrapped_private_key) == before
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_an_administrator_without_a_key_pair_can_change_password(adam, logged_in):
    client = logged_in(adam)
    assert change(client).status_code == 302
    assert User.objects.get(pk=adam.pk).check_password(NEW_PASSWORD)
    assert not ResponderKey.objects.filter(user=adam).exists()
