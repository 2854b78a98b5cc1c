"""What the worker cleans up on every pass: expired sessions and abandoned uploads."""

import datetime as dt
import os
import time

import pytest
from django.contrib.sessions.models import Session

from tocsin.accounts import keyring
from tocsin.server import housekeeping

pytestmark = pytest.mark.django_db
HOUR = housekeeping.STALE_UPLOAD_SECONDS


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.UPLOAD_TEMP_DIR = tmp_path / "tmp"
    settings.UPLOAD_TEMP_DIR.mkdir()
    return settings.UPLOAD_TEMP_DIR


def aged(path, seconds: float, *, now: float):
    path.write_bytes(os.urandom(64))
    os.utime(path, (now - seconds, now - seconds))
    return path


def test_it_purges_expired_sessions_and_the_sealed_keys_in_them(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert keyring.SESSION_FIELD in session.get_decoded()

    assert housekeeping.purge_expired_sessions(session.expire_date - dt.timedelta(seconds=1)) == 0
    assert Session.objects.filter(pk=session.pk).exists()
    assert client.get(f"/staff/cases/{reference}/").status_code == 200

    assert housekeeping.purge_expired_sessions(session.expire_date + dt.timedelta(seconds=1)) == 1
    assert not Session.objects.filter(pk=session.pk).exists()
    assert client.get(f"/staff/cases/{reference}/").status_code == 302


def test_it_keeps_sessions_that_have_not_expired(rita, lena, logged_in):
    logged_in(rita), logged_in(lena)
    first_expiry = Session.objects.order_by("expire_date").first().expire_date
    assert housekeeping.purge_expired_sessions(first_expiry - dt.timedelta(minutes=1)) == 0
    assert Session.objects.count() == 2


def test_it_purges_only_stale_upload_files(upload_dir):
    now = time.time()
    stale = aged(upload_dir / "abc.upload", HOUR + 60, now=now)
    fresh = aged(upload_dir / "def.upload", HOUR - 60, now=now)
    other = aged(upload_dir / "notes.txt", 10 * HOUR, now=now)
    assert housekeeping.purge_stale_uploads(now) == 1
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    assert housekeeping.purge_stale_uploads(now + 120) == 1
    assert not fresh.exists()


def test_it_measures_age_from_the_time_it_is_given(upload_dir):
    now = time.time()
    upload = aged(upload_dir / "abc.upload", 60, now=now)
    assert housekeeping.purge_stale_uploads(now) == 0
    assert housekeeping.purge_stale_uploads(now + HOUR) == 1
    assert not upload.exists()


def test_it_does_nothing_without_an_upload_folder(settings, tmp_path):
    settings.UPLOAD_TEMP_DIR = tmp_path / "never-created"
    assert housekeeping.purge_stale_uploads() == 0


def test_one_pass_does_both(rita, logged_in, upload_dir):
    logged_in(rita)
    session = Session.objects.get()
    later = session.expire_date + dt.timedelta(seconds=1)
    stale = aged(upload_dir / "abc.upload", 10, now=later.timestamp() - HOUR)
    housekeeping.run_once(later)
    assert not Session.objects.exists()
    assert not stale.exists()
