"""The canary: a report whose sensitive fields and file all carry a unique
marker goes the whole way -- sent through the form, followed up with its
receipt, opened and downloaded by a responder. Afterwards no byte under the
data directory, no value in the database and nothing logged or printed
holds the marker or the receipt, in any spelling.

A seized server is the threat (DESIGN.md): what is on its disk and in its
logs must be useless without a responder's password or the receipt.

The tests after the canary plant the marker where it must not be and check
that the search finds it, so the canary cannot pass by looking nowhere."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tocsin.cases.models import Case

from .conftest import PDF, Reporter, Upload, database_dump, files_under, receipt_of, reference_of

LOGGERS = ["", "django", "django.request", "django.security", "django.db.backends", "django.server",
           "tocsin"]


def spellings(text: str) -> list[bytes]:
    """How a value could sit in a file: UTF-8 (as SQLite and PostgreSQL store
    text here) and UTF-16 (the other encoding SQLite knows)."""
    return [text.encode(), text.encode("utf-16-le")]


def receipt_spellings(receipt: str) -> list[str]:
    digits = receipt.replace("-", "")
    groups = [digits[i : i + 5] for i in range(0, len(digits), 5)]
    return [receipt, digits, " ".join(groups)]


def database_image() -> bytes:
    """The bytes of the SQLite database as a file would hold them, free pages
    included. Serialised through the connection, which sees this test's own
    uncommitted rows (they reach the file only on commit), plus the files
    themselves when the test database is one (settings_test: worker
    processes in the alert tests must see it)."""
    if connection.vendor != "sqlite":
        return b""
    connection.ensure_connection()
    image = connection.connection.serialize()
    name = str(connection.settings_dict["NAME"])
    if "mode=memory" in name or name == ":memory:":
        return image
    return image + b"".join(Path(name + suffix).read_bytes() for suffix in ["", "-wal", "-shm"]
                            if Path(name + suffix).exists())


def files_on_disk() -> Iterator[tuple[Path, bytes]]:
    folders = {Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT), Path(settings.UPLOAD_TEMP_DIR)}
    for path in sorted(set(files_under(*folders))):
        yield path, path.read_bytes()


class Places:
    """Everywhere a seized server keeps what it was told."""

    def __init__(self, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
        self.caplog, self.capsys = caplog, capsys
        self.printed = ""

    def logged(self) -> str:
        # The formatted lines, and every attribute of every record (arguments,
        # extras such as a request), in case some handler writes those.
        return self.caplog.text + "\n".join(repr(vars(record)) for record in self.caplog.records)

    def holding(self, text: str) -> list[str]:
        captured = self.capsys.readouterr()
        self.printed += captured.out + captured.err
        found = []
        for needle in spellings(text):
            if needle in database_dump():
                found.append("a database row")
            if needle in database_image():
                found.append("the database file")
            found += [str(path) for path, data in files_on_disk() if needle in data]
        if text in self.logged():
            found.append("the log")
        if text in self.printed:
            found.append("the output")
        return found


@pytest.fixture
def places(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> Iterator[Places]:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    # Log every SQL statement with its parameters, as an administrator chasing
    # a problem might: even then nothing sensitive may appear.
    connection.force_debug_cursor = True
    try:
        yield Places(caplog, capsys)
    finally:
        connection.force_debug_cursor = False


def canary_report(marker: str) -> tuple[dict[str, Any], list[Upload]]:
    fields = {
        "narrative": f"They took the server. {marker} It held our member list.",
        "contact_kind": "email",
        "contact": f"{marker}@example.org",
        "organisation": f"Wave {marker}",
        "locality": f"Irkutsk {marker}",
        "perpetrator_name": f"Unit {marker}",
        "items_seized_kind": f"laptops {marker}",
    }
    document = PDF.replace(b"%%EOF", f"({marker}) Tj\n%%EOF".encode())
    return fields, [Upload(f"warrant-{marker}.pdf", document, "application/pdf")]


def test_it_leaves_no_trace_of_the_report_or_its_receipt(rita, logged_in, places):
    marker = f"canary{secrets.token_hex(8)}"
    fields, files = canary_report(marker)
    reporter = Reporter(headers={"User-Agent": f"Browser {marker}"})

    response = reporter.send(fields, files)
    assert response.status_code == 201, response.content
    receipt, reference = receipt_of(response), reference_of(response)
    assert marker not in response.content.decode()

    followed = reporter.follow_up(receipt.replace("-", " "))
    assert reference in followed.content.decode()
    responder = logged_in(rita)
    page = responder.get(f"/staff/cases/{reference}/").content.decode()
    assert fields["narrative"] in page
    item = Case.objects.get(reference=reference).evidence.get()
    download = responder.get(f"/staff/cases/{reference}/evidence/{item.public_id}/")
    assert marker.encode() in b"".join(download.streaming_content)
    assert responder.post(f"/staff/cases/{reference}/messages/", {"body": "Received."}).status_code == 302

    assert places.holding(marker) == []
    for spelling in receipt_spellings(receipt):
        assert places.holding(spelling) == [], spelling
    assert "127.0.0.1" not in places.logged()


# -- The canary can fail ----------------------------------------------------------


def test_the_search_finds_a_marker_in_a_plain_column(rita, api, places):
    marker = f"canary{secrets.token_hex(8)}"
    # The company is triage metadata, stored in the clear on purpose.
    assert api.send_multipart({"company": marker}).status_code == 201
    found = places.holding(marker)
    assert "a database row" in found
    if connection.vendor == "sqlite":
        assert "the database file" in found
    # The intake's own inserts bypass Django's cursor (tocsin.server.rows), so
    # they are never logged; a query through the ORM is, with its parameters.
    assert Case.objects.filter(company=marker).count() == 1
    assert "the log" in places.holding(marker)


def test_the_search_finds_a_marker_in_a_file(rita, places):
    marker = f"canary{secrets.token_hex(8)}"
    path = Path(settings.MEDIA_ROOT) / "plain" / "evidence.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(PDF + marker.encode("utf-16-le"))
    assert places.holding(marker) == [str(path)]


def test_the_search_finds_a_marker_in_a_log_record_or_the_output(db, places):
    marker = f"canary{secrets.token_hex(8)}"
    logging.getLogger("tocsin.intake").debug("received %s", marker)
    assert places.holding(marker) == ["the log"]
    other = f"canary{secrets.token_hex(8)}"
    print(f"stray {other}")
    assert places.holding(other) == ["the output"]


def test_the_search_finds_a_receipt_in_any_spelling(db, places):
    receipt = "12345-67890-13579-24680-11223"
    logging.getLogger("tocsin").warning("lookup %s", "12345 67890 13579 24680 11223")
    assert [places.holding(spelling) for spelling in receipt_spellings(receipt)] == [[], [], ["the log"]]
