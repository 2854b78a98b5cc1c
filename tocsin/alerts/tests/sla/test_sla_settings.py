"""The default durations come from the environment and fail loudly when wrong."""

import json

import pytest

from tocsin.server.tests.subprocesses import clean_env, run_python

SHOW = ("import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tocsin.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SLA_ACKNOWLEDGE_MINUTES, s.SLA_ESCALATION_MINUTES, "
        "s.REFERRAL_REMINDER_HOUR, s.REFERRAL_REMINDER_REPEAT_HOURS]))")


def start(tmp_path, **variables):
    return run_python(SHOW, cwd=tmp_path, env=clean_env(TOCSIN_SECRET_KEY="x", **variables))


def test_the_defaults_without_any_variable(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"critical": 15, "high": 60, "normal": 120},
                                         {"shift_lead": 60, "director": 90}, 9, 24]


def test_each_duration_is_read_from_the_environment(tmp_path):
    result = start(tmp_path, TOCSIN_SLA_CRITICAL_MINUTES="10", TOCSIN_SLA_HIGH_MINUTES="30",
                   TOCSIN_SLA_NORMAL_MINUTES="240", TOCSIN_SLA_SHIFT_LEAD_MINUTES="20",
                   TOCSIN_SLA_DIRECTOR_MINUTES="40", TOCSIN_REFERRAL_REMINDER_HOUR="8",
                   TOCSIN_REFERRAL_REMINDER_REPEAT_HOURS="0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"critical": 10, "high": 30, "normal": 240},
                                         {"shift_lead": 20, "director": 40}, 8, 0]


@pytest.mark.parametrize(("variables", "message"), [
    ({"TOCSIN_SLA_CRITICAL_MINUTES": "fifteen"}, "TOCSIN_SLA_CRITICAL_MINUTES must be a whole number"),
    ({"TOCSIN_SLA_HIGH_MINUTES": "0"}, "TOCSIN_SLA_HIGH_MINUTES must be from 1 to 10080"),
    ({"TOCSIN_SLA_NORMAL_MINUTES": "20000"}, "TOCSIN_SLA_NORMAL_MINUTES must be from 1 to 10080"),
    ({"TOCSIN_SLA_DIRECTOR_MINUTES": "30"}, "TOCSIN_SLA_DIRECTOR_MINUTES must not be less than"),
    ({"TOCSIN_REFERRAL_REMINDER_HOUR": "24"}, "TOCSIN_REFERRAL_REMINDER_HOUR must be 0-23"),
])
def test_start_up_fails_loudly_on_a_wrong_duration(tmp_path, variables, message):
    result = start(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
