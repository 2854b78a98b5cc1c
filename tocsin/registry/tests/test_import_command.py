"""`tocsin registry import FILE.csv`: streamed, batched, bad rows reported by line and skipped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tocsin.audit.models import Entry
from tocsin.registry.models import Organisation
from tocsin.screening.evaluation import DEV_SET

pytestmark = pytest.mark.django_db

SHARED = DEV_SET / "registry.csv"
HEADER = "id,name,name_en,kind,country,inn,ogrn,status\n"
# Valid by their check digits.
INN_A, OGRN_A = "7707083893", "1027700132195"
INN_B, OGRN_B = "1648536192", "1783178494075"
INN_12 = "500100732259"
OGRNIP = "304500116000157"


def write(tmp_path: Path, text: str | bytes, name: str = "registry.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run(path: Path, *extra: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("registry", "import", str(path), "--quiet", *extra, stdout=out, stderr=err)
        code = 0
    except CommandError as e:
        err.write(str(e))
        code = e.returncode
    return out.getvalue(), err.getvalue(), code


def test_it_imports_the_shared_registry():
    out, err, code = run(SHARED)
    assert (code, err) == (0, "")
    assert out == "2028 created, 0 updated, 0 unchanged, 0 skipped\n"
    assert Organisation.objects.count() == 2028
    golos = Organisation.objects.get(ref="D002")
    assert golos.name_en == "Golos Association"
    assert (golos.kind, golos.country, golos.status) == ("ngo", "RU", "attested")
    assert (golos.inn, golos.ogrn) == ("9646088750", "1557916703717")


def test_it_updates_rather_than_duplicates_on_reimport():
    run(SHARED)
    out, _, code = run(SHARED)
    assert code == 0
    assert out == "0 created, 0 updated, 2028 unchanged, 0 skipped\n"
    assert Organisation.objects.count() == 2028


def test_it_updates_changed_rows_and_never_lowers_status(tmp_path):
    run(write(tmp_path, HEADER + f"A1,Old name,,ngo,RU,{INN_A},{OGRN_A},attested\n"))
    out, _, _ = run(write(tmp_path, HEADER + f"A1,New name,New,media,KZ,{INN_A},{OGRN_A},registered\n"))
    assert out == "0 created, 1 updated, 0 unchanged, 0 skipped\n"
    org = Organisation.objects.get()
    assert (org.name, org.name_en, org.kind, org.country) == ("New name", "New", "media", "KZ")
    assert org.status == "attested"
    # A protected organisation whose name or kind changed must be decided again.
    assert org.requalify


def test_it_raises_status_from_a_newer_file(tmp_path):
    run(write(tmp_path, HEADER + "A1,Name,,ngo,RU,,,registered\n"))
    run(write(tmp_path, HEADER + "A1,Name,,ngo,RU,,,enrolled\n"))
    org = Organisation.objects.get()
    assert org.status == "enrolled"
    assert not org.requalify


def test_it_normalises_identifiers_and_country(tmp_path):
    path = write(tmp_path, HEADER + "A1,Name,,ngo,ru,7707 083-893,1 027700 132195,\n"
                                    f"A2,Person,,informal_group,AM,{INN_12},{OGRNIP},\n")
    _, err, code = run(path)
    assert (code, err) == (0, "")
    a1 = Organisation.objects.get(ref="A1")
    assert (a1.country, a1.inn, a1.ogrn, a1.status) == ("RU", INN_A, OGRN_A, "registered")
    assert Organisation.objects.get(ref="A2").inn == INN_12


def test_it_writes_one_audit_entry_per_import():
    before = Entry.objects.count()
    run(SHARED)
    entry = Entry.objects.get(seq__gt=before)
    assert entry.action == "registry.imported"
    assert entry.target == "registry.csv"
    assert entry.detail == {"created": 2028, "updated": 0, "unchanged": 0, "bad": 0}


def test_it_works_in_batches_smaller_than_the_file():
    out, _, _ = run(SHARED, "--batch-size", "7")
    assert out.startswith("2028 created")


BAD_ROWS = [
    (f"B1,Name,,ngo,RU,{INN_A[:-1]}4,,", "INN 7707083894 fails its check digits"),
    (f"B1,Name,,ngo,RU,,{OGRN_A[:-1]}6,", "OGRN 1027700132196 fails its check digit"),
    ("B1,Name,,ngo,RU,12345,,", "INN must have 10 digits (organisation) or 12 (individual), not 5"),
    ("B1,Name,,ngo,RU,77O7083893,,", "INN must contain digits only"),
    ("B1,Name,,ngo,RU,,10277001321,", "OGRN must have 13 digits (or 15 for an OGRNIP), not 11"),
    ("B1,Name,,charity,RU,,,", "unknown kind 'charity'"),
    ("B1,Name,,ngo,RS1,,,", "unknown country code 'RS1'"),
    ("B1,Name,,ngo,XX,,,", "unknown country code 'XX'"),
    ("B1,Name,,ngo,RU,,,sealed", "unknown status 'sealed'"),
    (",Name,,ngo,RU,,,", "id is empty"),
    ("B1,,,ngo,RU,,,", "name is empty"),
    ("B1,Name,,ngo,RU,,", "has 7 field(s), the header has 8"),
    ("B1,Name,,ngo,RU,,,,extra", "has 9 field(s), the header has 8"),
    ("B" * 65 + ",Name,,ngo,RU,,,", "id is longer than 64 characters"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS)
def test_it_reports_and_skips_a_bad_row(tmp_path, row, reason):
    path = write(tmp_path, HEADER + f"G1,Good,,ngo,RU,{INN_B},{OGRN_B},\n" + row + "\n"
                 + "G2,Also good,,media,BY,,,\n")
    out, err, code = run(path)
    assert code == 2
    assert f"{path}:3: skipped: {reason}" in err
    assert out == "2 created, 0 updated, 0 unchanged, 1 skipped\n"
    assert set(Organisation.objects.values_list("ref", flat=True)) == {"G1", "G2"}


@pytest.mark.parametrize(("row", "reason"), [
    (f"B1,Other,,ngo,RU,{INN_B},,", f"duplicate INN {INN_B} (already on line 2)"),
    (f"B1,Other,,ngo,RU,,{OGRN_B},", f"duplicate OGRN {OGRN_B} (already on line 2)"),
    ("G1,Other,,ngo,RU,,,", "duplicate id G1 (already on line 2)"),
])
def test_it_skips_duplicates_within_the_file(tmp_path, row, reason):
    path = write(tmp_path, HEADER + f"G1,Good,,ngo,RU,{INN_B},{OGRN_B},\n" + row + "\n")
    _, err, code = run(path, "--batch-size", "1")
    assert code == 2
    assert f"{path}:3: skipped: {reason}" in err
    assert Organisation.objects.get().name == "Good"


def test_it_skips_duplicates_within_one_batch(tmp_path):
    path = write(tmp_path, HEADER + f"G1,Good,,ngo,RU,{INN_B},,\nB1,Other,,ngo,RU,{INN_B},,\n")
    _, err, _ = run(path)
    assert f"{path}:3: skipped: duplicate INN {INN_B} (already on line 2)" in err


def test_it_skips_identifiers_that_belong_to_another_organisation(tmp_path):
    run(write(tmp_path, HEADER + f"OLD,Old,,ngo,RU,{INN_A},{OGRN_B},\n", "first.csv"))
    path = write(tmp_path, HEADER + f"NEW1,New,,ngo,RU,{INN_A},,\nNEW2,New,,ngo,RU,,{OGRN_B},\n")
    _, err, _ = run(path)
    assert f"{path}:2: skipped: duplicate INN {INN_A} (already registered to OLD)" in err
    assert f"{path}:3: skipped: duplicate OGRN {OGRN_B} (already registered to OLD)" in err
    assert list(Organisation.objects.values_list("ref", flat=True)) == ["OLD"]


def test_it_reports_the_line_of_broken_utf8_and_imports_the_rest(tmp_path):
    path = write(tmp_path, HEADER.encode() + b"G1,Good,,ngo,RU,,,\n"
                 + "B1,Плохо,,ngo,RU,,,\n".encode("cp1251") + b"G2,Good too,,ngo,RU,,,\n")
    _, err, code = run(path)
    assert code == 2
    assert f"{path}:3: skipped: is not valid UTF-8 (line 3)" in err
    assert set(Organisation.objects.values_list("ref", flat=True)) == {"G1", "G2"}


def test_it_counts_lines_of_quoted_multiline_names(tmp_path):
    path = write(tmp_path, HEADER + 'B1,"Two\nlines",,ngo,RU,,,\nB2,Bad,,nope,RU,,,\n')
    _, err, _ = run(path)
    assert f"{path}:2: skipped: name contains a control character" in err
    assert f"{path}:4: skipped: unknown kind 'nope'" in err


def test_it_skips_blank_lines_and_counts_them(tmp_path):
    path = write(tmp_path, HEADER + "\nG1,Good,,ngo,RU,,,\n\n\nB1,Bad,,nope,RU,,,\n")
    _, err, _ = run(path)
    assert err.startswith(f"{path}:6: skipped: unknown kind 'nope'")
    assert Organisation.objects.count() == 1


def test_it_accepts_a_byte_order_mark_and_optional_columns(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfid,name,kind,country\nG1,Good,ngo,RU\n")
    out, _, code = run(path)
    assert (code, out) == (0, "1 created, 0 updated, 0 unchanged, 0 skipped\n")


@pytest.mark.parametrize(("text", "message"), [
    ("id,name,name_en,country\nG1,Good,,RU\n", "missing required column(s): kind"),
    ("name,kind\nGood,ngo\n", "missing required column(s): id, country"),
    ("", "the file is empty"),
    (b"id,n\xe4me,kind,country\nG1,Good,ngo,RU\n", "missing required column(s): name"),
])
def test_it_refuses_a_file_without_required_columns_and_stores_nothing(tmp_path, text, message):
    entries = Entry.objects.count()
    _, err, code = run(write(tmp_path, text))
    assert code == 1
    assert message in err
    assert "nothing stored" in err
    assert not Organisation.objects.exists()
    assert Entry.objects.count() == entries


def test_it_refuses_a_missing_file(tmp_path):
    _, err, code = run(tmp_path / "absent.csv")
    assert code == 1
    assert "cannot read" in err


def test_it_shows_no_progress_bar_when_not_a_terminal(tmp_path, capsys):
    out = io.StringIO()
    call_command("registry", "import", str(SHARED), stdout=out)
    assert capsys.readouterr().err == ""


def test_it_skips_a_row_too_large_for_csv_and_goes_on(tmp_path):
    path = write(tmp_path, HEADER + "B1,\"" + "x" * 200_000 + "\",,ngo,RU,,,\nG1,Good,,ngo,RU,,,\n")
    _, err, code = run(path)
    assert code == 2
    assert f"{path}:2: skipped: is not valid CSV" in err
    assert list(Organisation.objects.values_list("ref", flat=True)) == ["G1"]


def test_it_skips_a_row_with_a_nul_byte(tmp_path):
    path = write(tmp_path, HEADER.encode() + b"B1,Na\x00me,,ngo,RU,,,\nG1,Good,,ngo,RU,,,\n")
    _, err, _ = run(path)
    assert f"{path}:2: skipped: name contains a control character" in err
    assert list(Organisation.objects.values_list("ref", flat=True)) == ["G1"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("flags", "shown"), [((), True), (("--quiet",), False)])
def test_it_shows_a_progress_bar_on_a_terminal_unless_quiet(monkeypatch, flags, shown):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    call_command("registry", "import", str(SHARED), *flags, stdout=io.StringIO())
    assert ("import: 100%" in terminal.getvalue()) is shown


def test_it_signals_each_stored_batch_on_commit(tmp_path, django_capture_on_commit_callbacks):
    from tocsin.registry.signals import organisations_imported

    heard = []

    def listener(sender, created, updated, **kwargs):
        heard.append((created, updated))

    organisations_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run(write(tmp_path, HEADER + "G1,Good,,ngo,RU,,,\nG2,Good,,ngo,RU,,,\nG3,Good,,ngo,RU,,,\n"),
                "--batch-size", "2")
            run(write(tmp_path, HEADER + "G1,Better,,ngo,RU,,,\n"))
    finally:
        organisations_imported.disconnect(listener)
    assert heard == [(2, 0), (1, 0), (0, 1)]
