"""``tocsin counsel add|list|remove``."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tocsin.audit.models import Entry
from tocsin.counsel.models import Counsel


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("counsel", *args, stdout=out)
    return out.getvalue()


def test_add_puts_a_lawyer_on_the_list_and_audits_it(db):
    output = run("add", "--kind", "lawyer", "--name", "Иванов Иван Иванович", "--country", "ru",
                 "--firm", "Городисский и партнёры", "--registration-number", "77/5678",
                 "--from", "2026-01-01", "--until", "2027-12-31")
    counsel = Counsel.objects.get()
    assert f"Added {counsel.pk}" in output
    assert (counsel.kind, counsel.country, counsel.firm) == ("lawyer", "RU", "Городисский и партнёры")
    assert counsel.authorised_from == datetime.date(2026, 1, 1)
    assert counsel.authorised_until == datetime.date(2027, 12, 31)
    entry = Entry.objects.get(action="counsel.added")
    assert entry.actor_id is None and entry.target == f"counsel:{counsel.pk}"
    assert entry.detail["authorised_until"] == "2027-12-31"


def test_add_starts_today_and_runs_until_removed_by_default(db):
    run("add", "--kind", "firm", "--name", "Baker McKenzie", "--country", "KZ")
    counsel = Counsel.objects.get()
    assert counsel.authorised_from == timezone.localdate()
    assert counsel.authorised_until is None
    assert counsel.standing() == Counsel.Standing.AUTHORISED


@pytest.mark.parametrize(("args", "field"), [
    (["--kind", "lawyer", "--name", "  ", "--country", "RU"], "name"),
    (["--kind", "lawyer", "--name", "x" * 301, "--country", "RU"], "name"),
    (["--kind", "lawyer", "--name", "A", "--country", "RUS"], "country"),
    (["--kind", "lawyer", "--name", "A", "--country", "QQ"], "country"),
    (["--kind", "firm", "--name", "A", "--country", "RU", "--firm", "B"], "firm"),
    (["--kind", "lawyer", "--name", "A", "--country", "RU", "--registration-number", "9" * 65],
     "registration_number"),
    (["--kind", "lawyer", "--name", "A", "--country", "RU", "--from", "2026-05-01", "--until", "2026-04-30"],
     "authorised_until"),
])
def test_add_refuses_bad_input_naming_the_field_and_stores_nothing(db, args, field):
    with pytest.raises(CommandError, match=rf"^{field}: "):
        run("add", *args)
    assert not Counsel.objects.exists() and not Entry.objects.exists()


@pytest.mark.parametrize("args", [
    ["--kind", "notary", "--name", "A", "--country", "RU"],
    ["--name", "A", "--country", "RU"],
    ["--kind", "lawyer", "--name", "A", "--country", "RU", "--from", "yesterday"],
    ["--kind", "lawyer", "--name", "A", "--country", "RU", "--until", "2026-02-30"],
])
def test_add_refuses_unknown_kinds_bad_dates_and_missing_options(db, args):
    with pytest.raises(CommandError):
        run("add", *args)
    assert not Counsel.objects.exists()


def test_list_shows_who_is_authorised_and_all_shows_the_rest(the_list):
    listing = run("list")
    assert "Иванов Иван Иванович" in listing
    assert "Кузнецов" in listing  # authorised from a later date: the operator sees it coming
    assert "Петров" not in listing and "Сидоров" not in listing
    everything = run("list", "--all")
    assert "Петров" in everything and "withdrawn" in everything
    assert "Сидоров" in everything and "expired" in everything


def test_list_of_nobody(db):
    assert "Nobody is authorised" in run("list")


def test_remove_withdraws_at_once_keeps_the_entry_and_audits_the_reason(the_list):
    ivanov = the_list["ivanov"]
    output = run("remove", str(ivanov.pk), "--reason", "claimed to value seized laptops")
    assert "Withdrew" in output
    ivanov.refresh_from_db()
    assert ivanov.standing() == Counsel.Standing.WITHDRAWN
    entry = Entry.objects.filter(action="counsel.withdrawn").latest("seq")
    assert entry.detail == {"name": ivanov.name, "reason": "claimed to value seized laptops"}


def test_remove_refuses_an_unknown_number_or_a_second_removal(the_list):
    with pytest.raises(CommandError, match=r"^id: No counsel"):
        run("remove", "999999")
    with pytest.raises(CommandError, match="already withdrawn"):
        run("remove", str(the_list["petrov"].pk))
    with pytest.raises(CommandError):
        run("remove", "ivanov")
