"""/accounts/enrol/: setting up the authenticator app at the first login."""

import base64
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts.tests.helpers import age_password_step, device_state, enter_code, password_only
from tocsin.audit.models import Entry
from tocsin.conftest import authenticator, current_code

pytestmark = pytest.mark.django_db
QR_IMAGE = re.compile(r'<img class="qr" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')
MANUAL_KEY = re.compile(r'<p class="receipt" id="manual-key">([A-Z2-7 ]+)</p>')


def first_login(username: str = "rita") -> Client:
    client, response = password_only(username)
    assert response["Location"] == "/accounts/enrol/"
    return client


def pending_device(username: str = "rita") -> TOTPDevice:
    return TOTPDevice.objects.get(user__username=username, confirmed=False)


def test_it_shows_a_qr_code_and_the_key_to_type(rita):
    response = first_login().get("/accounts/enrol/")
    assert response.status_code == 200
    content = response.content.decode()
    device = pending_device()
    svg = base64.b64decode(QR_IMAGE.search(content).group(1)).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<script" not in svg
    typed = MANUAL_KEY.search(content).group(1).replace(" ", "")
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == device.bin_key
    assert "<script" not in content
    assert "img-src 'self' data:" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_the_qr_code_holds_the_otpauth_address(rita):
    client = first_login()
    assert not TOTPDevice.objects.exists()  # nothing is created before the page is shown
    client.get("/accounts/enrol/")
    url = urlparse(pending_device().config_url)
    assert (url.scheme, url.netloc) == ("otpauth", "totp")
    assert unquote(url.path) == "/Tocsin:rita"
    query = parse_qs(url.query)
    assert query["issuer"] == ["Tocsin"] and query["digits"] == ["6"] and query["period"] == ["30"]


def test_it_shows_the_same_key_when_the_page_is_shown_again(rita):
    client = first_login()
    first = MANUAL_KEY.search(client.get("/accounts/enrol/").content.decode()).group(1)
    again = MANUAL_KEY.search(client.get("/accounts/enrol/").content.decode()).group(1)
    assert first == again
    assert TOTPDevice.objects.filter(user=rita).count() == 1


def test_a_code_from_the_app_confirms_it_and_logs_in(rita):
    client = first_login()
    client.get("/accounts/enrol/")
    response = enter_code(client, current_code(pending_device()), path="/accounts/enrol/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert TOTPDevice.objects.get(user=rita).confirmed
    enrolled = Entry.objects.get(action="otp.enrolled")
    assert (enrolled.actor, enrolled.target) == (rita, "rita")
    assert Entry.objects.filter(action="login", actor=rita).count() == 1


def test_the_next_login_asks_for_a_code_from_the_same_app(rita):
    client = first_login()
    client.get("/accounts/enrol/")
    device = pending_device()
    enter_code(client, current_code(device), path="/accounts/enrol/")
    _, response = password_only("rita")
    assert response["Location"] == "/accounts/code/"


def test_it_refuses_a_wrong_code_and_confirms_nothing(rita):
    client = first_login()
    client.get("/accounts/enrol/")
    device = pending_device()
    before = device_state(device)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong, path="/accounts/enrol/")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_code-errors"' in content
    assert MANUAL_KEY.search(content)  # the key is still there to try again
    assert device_state(device) == before
    assert client.get("/staff/").status_code == 302
    assert not Entry.objects.filter(action__in=["otp.enrolled", "login"]).exists()
    assert Entry.objects.get(action="otp.failed").detail == {"step": "enrolment"}


@pytest.mark.parametrize("code", ["", "12 34", "abcdef", "1234567"])
def test_it_explains_a_malformed_code(rita, code):
    client = first_login()
    client.get("/accounts/enrol/")
    response = enter_code(client, code, path="/accounts/enrol/")
    assert response.status_code == 400
    assert 'id="id_code-errors"' in response.content.decode()
    assert not pending_device().confirmed


def test_a_code_posted_before_the_page_was_shown_confirms_nothing(rita):
    client = first_login()
    response = enter_code(client, "123456", path="/accounts/enrol/")
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=rita, confirmed=True).exists()


def test_someone_with_only_the_password_cannot_replace_the_app(rita):
    """The thief knows the password, not the code: enrolling their own phone
    would make the code step theirs."""
    phone = authenticator(rita)
    client, _ = password_only("rita")
    response = client.get("/accounts/enrol/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/code/"
    thief_device = TOTPDevice.objects.create(user=rita, name="thief", confirmed=False)
    response = enter_code(client, current_code(thief_device), path="/accounts/enrol/")
    assert response["Location"] == "/accounts/code/"
    assert list(TOTPDevice.objects.filter(user=rita, confirmed=True)) == [phone]
    assert client.get("/staff/").status_code == 302


def test_an_administrator_enrols_too(adam):
    client = first_login("adam")
    client.get("/accounts/enrol/")
    response = enter_code(client, current_code(pending_device("adam")), path="/accounts/enrol/")
    assert response["Location"] == "/staff/"


def test_it_sends_an_anonymous_visitor_to_log_in(db):
    response = Client().get("/accounts/enrol/")
    assert response["Location"].startswith("/accounts/login/")
    assert not TOTPDevice.objects.exists()


def test_a_session_left_at_enrolment_starts_again(rita):
    client = first_login()
    client.get("/accounts/enrol/")
    age_password_step(client, 16 * 60)
    response = enter_code(client, current_code(pending_device()), path="/accounts/enrol/")
    assert response["Location"].startswith("/accounts/login/")
    assert not pending_device().confirmed
