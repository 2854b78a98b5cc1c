"""One settings module reading the environment, with ``_FILE`` variants, failing loudly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tocsin import settings as tocsin_settings
from tocsin.server.tests.subprocesses import clean_env, run_python

SETUP = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tocsin.settings'; "
         "django.setup()")
NAME = "TOCSIN_TEST_SETTING"


@pytest.fixture(autouse=True)
def no_setting(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    monkeypatch.delenv(f"{NAME}_FILE", raising=False)


def test_env_reads_the_variable(monkeypatch):
    monkeypatch.setenv(NAME, "from the environment")
    assert tocsin_settings.env(NAME) == "from the environment"


def test_env_reads_the_file_named_by_the_file_variable(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("from a file\n", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(path))
    assert tocsin_settings.env(NAME) == "from a file"


def test_env_prefers_the_variable_to_the_file(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("from a file", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(path))
    monkeypatch.setenv(NAME, "from the environment")
    assert tocsin_settings.env(NAME) == "from the environment"


def test_env_falls_back_to_the_default():
    assert tocsin_settings.env(NAME) is None
    assert tocsin_settings.env(NAME, "fallback") == "fallback"


def test_env_fails_loudly_on_an_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv(f"{NAME}_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=f"{NAME}_FILE=.*missing"):
        tocsin_settings.env(NAME)


def test_required_names_the_missing_setting():
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} \\(or {NAME}_FILE\\) must be set"):
        tocsin_settings.required(NAME)


def test_required_refuses_an_empty_value(monkeypatch):
    monkeypatch.setenv(NAME, "")
    with pytest.raises(ImproperlyConfigured, match=NAME):
        tocsin_settings.required(NAME)


def test_env_int_names_a_setting_that_is_not_a_number(monkeypatch):
    monkeypatch.setenv(NAME, "fifty")
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be a whole number"):
        tocsin_settings.env_int(NAME, 5)
    monkeypatch.setenv(NAME, "50")
    assert tocsin_settings.env_int(NAME, 5) == 50


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("Yes", True),
                                                 ("on", True), ("0", False), ("false", False),
                                                 ("", False)])
def test_env_bool_reads_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv(NAME, value)
    assert tocsin_settings.env_bool(NAME) is expected


def test_start_up_fails_loudly_without_a_secret_key(tmp_path):
    result = run_python(SETUP, cwd=tmp_path, env=clean_env())
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TOCSIN_SECRET_KEY (or TOCSIN_SECRET_KEY_FILE) must be set" in result.stderr
    assert not (tmp_path / "var").exists()  # nothing was created half-configured


def test_start_up_fails_loudly_with_an_empty_secret_key(tmp_path):
    result = run_python(SETUP, cwd=tmp_path, env=clean_env(TOCSIN_SECRET_KEY=""))
    assert result.returncode != 0
    assert "TOCSIN_SECRET_KEY" in result.stderr


def test_start_up_fails_loudly_with_an_unreadable_secret_key_file(tmp_path):
    env = clean_env(TOCSIN_SECRET_KEY_FILE=str(tmp_path / "no-such-file"))
    result = run_python(SETUP, cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert "TOCSIN_SECRET_KEY_FILE=" in result.stderr and "no-such-file" in result.stderr


def test_start_up_reads_the_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("a-secret-from-a-file\n", encoding="utf-8")
    code = SETUP + "; from django.conf import settings; print(settings.SECRET_KEY, settings.DATA_DIR)"
    result = run_python(code, cwd=tmp_path, env=clean_env(TOCSIN_SECRET_KEY_FILE=str(secret)))
    assert result.returncode == 0, result.stderr
    key, data_dir = result.stdout.split()
    assert key == "a-secret-from-a-file"
    assert data_dir == str(tmp_path / "var")
    assert (tmp_path / "var").stat().st_mode & 0o077 == 0  # the data folder is Tocsin's own


def test_start_up_uses_postgresql_when_given_a_database_url(tmp_path):
    code = SETUP + "; from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    env = clean_env(TOCSIN_SECRET_KEY="x", DATABASE_URL="postgres://u@127.0.0.1:5432/tocsin")
    result = run_python(code, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"
