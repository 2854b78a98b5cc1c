"""`tocsin sla show|set`."""

import io

import pytest
from django.core.management import CommandError, call_command

from tocsin.accounts.models import Team
from tocsin.alerts import sla
from tocsin.alerts.models import TeamPolicy
from tocsin.audit.models import Entry

pytestmark = pytest.mark.django_db


def sla_command(*args: str) -> str:
    out = io.StringIO()
    call_command("sla", *args, stdout=out)
    return out.getvalue()


def rows(output: str) -> dict[str, list[str]]:
    lines = [line.split("\t") for line in output.strip().splitlines()]
    return {line[0]: line[1:] for line in lines}


def test_show_lists_the_defaults_and_every_team(rita, bora):
    shown = rows(sla_command("show"))
    assert shown["team"] == ["critical", "high", "normal", "shift_lead", "director", "(minutes)"]
    assert shown["(defaults)"] == ["15", "60", "120", "60", "90"]
    assert shown["default"] == shown["belarus"] == ["15", "60", "120", "60", "90"]


def test_set_overrides_for_one_team_and_show_marks_its_own_values(rita, bora):
    assert rows(sla_command("set", "--team", "belarus", "--critical", "10", "--shift-lead", "30"))[
        "belarus"] == ["10*", "60", "120", "30*", "90"]
    shown = rows(sla_command("show"))
    assert shown["belarus"] == ["10*", "60", "120", "30*", "90"]
    assert shown["default"] == ["15", "60", "120", "60", "90"]
    assert rows(sla_command("show", "--team", "belarus")).keys() == {"team", "(defaults)", "belarus"}
    assert Entry.objects.filter(action="sla.policy_changed", target="belarus").count() == 1


def test_default_resets_a_duration(rita):
    sla_command("set", "--team", "default", "--critical", "10", "--director", "120")
    assert rows(sla_command("set", "--team", "default", "--critical", "default"))["default"] == [
        "15", "60", "120", "60", "120*"]


@pytest.mark.parametrize(("args", "message"), [
    (["--team", "nowhere", "--critical", "10"], "no team named 'nowhere'"),
    (["--team", "default"], "name at least one duration"),
    (["--team", "default", "--critical", "0"], "--critical: 0 is outside 1 to 10080 minutes"),
    (["--team", "default", "--high", "an hour"], "--high: 'an hour' is not a whole number of minutes"),
    (["--team", "default", "--normal", "99999"], "--normal: 99999 is outside"),
    (["--team", "default", "--director", "30"], "director: the director is the last rung"),
    (["--critical", "10"], "the following arguments are required: --team"),
    (["--team", "default", "--weekend", "10"], "unrecognized arguments: --weekend"),
])
def test_set_refuses_bad_input_and_changes_nothing(rita, args, message):
    with pytest.raises(CommandError, match=message):
        sla_command("set", *args)
    assert not TeamPolicy.objects.exists()
    assert sla.policy_for(Team.objects.get(name="default")).minutes["critical"] == 15


def test_show_refuses_an_unknown_team(rita):
    with pytest.raises(CommandError, match="no team named 'nowhere'"):
        sla_command("show", "--team", "nowhere")


def test_it_needs_a_verb():
    with pytest.raises(CommandError):
        sla_command()
    with pytest.raises(CommandError, match="invalid choice"):
        sla_command("delete")
