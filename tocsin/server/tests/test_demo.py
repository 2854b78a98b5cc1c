"""`tocsin demo`: demo responders for `make run`, once, only on an empty database."""

import io
import os
import re
import stat

import pytest
from django.core.management import call_command
from django.test import Client

from tocsin.accounts.models import Membership, ResponderKey, Team, User
from tocsin.conftest import pass_second_factor
from tocsin.crypto import keys

pytestmark = pytest.mark.django_db
LINE = re.compile(r"^(\S+)  password: (\S+)  recovery key: (\S+)$")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def logins(data_dir) -> dict[str, tuple[str, str]]:
    text = (data_dir / "demo-logins.txt").read_text(encoding="utf-8")
    return {m.group(1): (m.group(2), m.group(3)) for m in map(LINE.match, text.splitlines()) if m}


def test_it_creates_the_default_team_with_demo_responders(data_dir):
    demo()
    team = Team.objects.get(name=Team.DEFAULT)
    roles = dict(Membership.objects.filter(team=team).values_list("user__username", "role"))
    assert roles == {"demo-responder": Membership.Role.RESPONDER,
                     "demo-lead": Membership.Role.SHIFT_LEAD}
    assert ResponderKey.objects.count() == 2
    assert not User.objects.filter(is_superuser=True).exists()


def test_it_writes_logins_that_work(data_dir, report):
    demo()
    found = logins(data_dir)
    assert set(found) == {"demo-responder", "demo-lead"}
    _, reference = report()
    for username, (password, recovery_key) in found.items():
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/enrol/"  # the first login sets up the app
        pass_second_factor(client, User.objects.get(username=username))
        assert client.get(f"/staff/cases/{reference}/").status_code == 200
        key = ResponderKey.objects.get(user__username=username)
        keys.unwrap_with_recovery_key(bytes(key.recovery_wrapped_private_key), recovery_key)


def test_it_prints_how_to_log_in(data_dir):
    output = demo()
    assert "/accounts/login/" in output
    for username, (password, _) in logins(data_dir).items():
        assert f"{username}  password: {password}" in output


def test_it_writes_the_logins_for_tocsins_user_only(data_dir):
    old_umask = os.umask(0)
    try:
        demo()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((data_dir / "demo-logins.txt").stat().st_mode) == 0o600


def test_it_tightens_a_logins_file_left_readable_by_others(data_dir):
    path = data_dir / "demo-logins.txt"
    path.write_text("left over from an earlier installation\n", encoding="utf-8")
    path.chmod(0o644)
    demo()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "earlier installation" not in path.read_text(encoding="utf-8")


def test_it_does_nothing_more_the_second_time(data_dir):
    demo()
    before = (data_dir / "demo-logins.txt").read_text(encoding="utf-8")
    demo()
    assert User.objects.count() == 2
    assert (data_dir / "demo-logins.txt").read_text(encoding="utf-8") == before


def test_it_does_nothing_once_anyone_has_an_account(data_dir, adam):
    output = demo()
    assert list(User.objects.values_list("username", flat=True)) == ["adam"]
    assert not Team.objects.exists()
    assert not (data_dir / "demo-logins.txt").exists()
    assert "password" not in output
