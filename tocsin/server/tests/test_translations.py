# Cyrillic letters that look like Latin ones are the point of this file.
# ruff: noqa: RUF001
"""The Russian catalogue is complete, compiled, and what /report/ actually shows.

A reporter who reads only Russian must never meet an English sentence on the
way to a receipt, so a string added without a translation fails here, not in
front of them. The catalogue is refreshed with ``make messages``.
"""

from __future__ import annotations

import os
import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

import tocsin

SOURCE = Path(tocsin.__file__).resolve().parent
CATALOGUE = SOURCE / "locale" / "ru" / "LC_MESSAGES"
PO_PATH, MO_PATH = CATALOGUE / "django.po", CATALOGUE / "django.mo"
RU_PLURAL_FORMS = 3

# %(name)s, %s, %d ... as Python interpolates them; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
# Markup a translation may carry; "<your receipt>" in a message is not a tag.
TAG = re.compile(r"</?(a|abbr|b|br|code|em|i|kbd|li|ol|p|small|span|strong|ul)\b[^>]*>")

VALID_FORM = {
    "act_types": ["raid"],
    "occurred_on": "2026-03-15",
    "country": "RU",
    "narrative": "Officers took every computer.",
}


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def entries() -> list[polib.POEntry]:
    return [entry for entry in catalogue() if not entry.obsolete]


def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str, str]:
    return entry.msgctxt, entry.msgid, entry.msgid_plural or ""


def translations(entries_: Any) -> dict[tuple[str | None, str, str], object]:
    return {key(e): (e.msgstr, sorted(e.msgstr_plural.items())) for e in entries_ if e.msgid}


def ru_plural_index(n: int) -> int:
    """The Plural-Forms rule the catalogue declares, for checking what Django picks."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 10 <= n % 100 < 20:
        return 1
    return 2


def get_report(client: Client, language: str) -> str:
    response = client.get("/report/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def post_report(client: Client, language: str, **fields: Any) -> str:
    response = client.post("/report/", {**VALID_FORM, **fields}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    return response.content.decode()


# -- The catalogue itself ----------------------------------------------------


def test_it_declares_russian_plural_forms() -> None:
    po = catalogue()
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Plural-Forms"].startswith(f"nplurals={RU_PLURAL_FORMS};")
    assert not po.metadata_is_fuzzy


def test_it_translates_every_entry() -> None:
    untranslated = [entry.msgid for entry in entries() if not entry.translated()]
    fuzzy = [entry.msgid for entry in entries() if entry.fuzzy]
    assert not untranslated, f"translate these in {PO_PATH}: {untranslated}"
    assert not fuzzy, f"check these fuzzy translations in {PO_PATH} and remove the flag: {fuzzy}"


def test_it_gives_every_plural_all_russian_forms() -> None:
    for entry in entries():
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(RU_PLURAL_FORMS)), entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_it_keeps_placeholders_and_markup_identical() -> None:
    for entry in entries():
        source = entry.msgid_plural or entry.msgid
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            assert sorted(PLACEHOLDER.findall(target)) == sorted(PLACEHOLDER.findall(source)), (
                f"placeholders differ: {entry.msgid!r} -> {target!r}")
            assert sorted(TAG.findall(target)) == sorted(TAG.findall(source)), (
                f"HTML differs: {entry.msgid!r} -> {target!r}")


def test_it_ships_a_compiled_catalogue_matching_the_source() -> None:
    mo = polib.mofile(str(MO_PATH))
    assert translations(mo) == translations(entries()), (
        "django.mo is stale: run `make messages` (or `tocsin compilemessages` in tocsin/)")
    assert mo.metadata.get("Plural-Forms") == catalogue().metadata["Plural-Forms"]


def test_it_picks_the_right_russian_plural_form() -> None:
    plurals = [entry for entry in entries() if entry.msgid_plural]
    with translation.override("ru"):
        for entry in plurals:
            for n in (1, 2, 5, 11, 21, 22, 25, 111):
                expected = entry.msgstr_plural[ru_plural_index(n)]
                assert translation.ngettext(entry.msgid, entry.msgid_plural, n) == expected


# -- The catalogue against the source ------------------------------------------


def test_it_has_every_msgid_the_source_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """makemessages on a copy of the tree, so the committed catalogue is never touched."""
    if shutil.which("xgettext") is None:
        message = ("GNU gettext is not installed (no xgettext), so the catalogue cannot be checked "
                   "against the source; install it, e.g. `apt-get install gettext`.")
        if os.environ.get("TOCSIN_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    tree = tmp_path / "tocsin"
    shutil.copytree(SOURCE, tree, ignore=shutil.ignore_patterns("locale", "__pycache__", "var"))
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[str(tree / "locale")]):
        call_command("makemessages", locale=["ru"], no_location=True, no_obsolete=True,
                     verbosity=0, stdout=StringIO(), stderr=StringIO())
    found = polib.pofile(str(tree / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    committed = {key(entry) for entry in entries()}
    missing = [entry.msgid for entry in found if entry.msgid and key(entry) not in committed]
    assert not missing, f"run `make messages` and translate these: {missing}"


# -- What a reporter sees --------------------------------------------------------


def test_it_shows_the_report_form_in_russian(rita: Any) -> None:
    page = get_report(Client(), "ru")
    assert '<html lang="ru">' in page
    for text in ["Сообщить о происшествии", "Что произошло?", "Когда это произошло?",
                 "Отправить обращение", "Поля, отмеченные *, обязательны.", "Полиция"]:
        assert text in page
    assert "Report an incident" not in page
    assert "Send the report" not in page


def test_it_names_countries_in_russian(rita: Any) -> None:
    page = get_report(Client(), "ru")
    assert '<option value="RU">Россия</option>' in page
    assert '<option value="KZ">Казахстан</option>' in page
    assert '<option value="DE">Германия</option>' in page
    assert ">Russia<" not in page


def test_it_explains_errors_in_russian(rita: Any) -> None:
    page = post_report(Client(), "ru", narrative="", occurred_on="2026-02-30")
    assert "Обращение не отправлено. Пожалуйста, исправьте:" in page
    assert "Расскажите, что произошло; достаточно нескольких предложений." in page
    assert "Такой даты нет. Проверьте месяц и день." in page
    assert "Tell us what happened" not in page


def test_it_shows_the_report_form_in_english(rita: Any) -> None:
    page = get_report(Client(), "en")
    assert '<html lang="en">' in page
    assert "Report an incident" in page
    assert '<option value="RU">Russia</option>' in page
    assert "Сообщить о происшествии" not in page


def test_it_explains_errors_in_english(rita: Any) -> None:
    page = post_report(Client(), "en", narrative="", occurred_on="2026-02-30")
    assert "Tell us what happened; a few sentences are enough." in page
    assert "There is no such date. Check the month and the day." in page
    assert "Расскажите" not in page


def test_it_switches_language_with_the_visible_switcher(rita: Any) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/report/"})
    assert "Сообщить о происшествии" in get_report(client, "en")


def test_it_says_not_found_in_russian(db: None) -> None:
    response = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_it_apologises_for_a_server_error_in_russian(rita: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> bool:
        raise RuntimeError("a fault inside the report view")

    monkeypatch.setattr("tocsin.intake.views.any_responder", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/report/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 500
    assert "У нас что-то пошло не так" in response.content.decode()
