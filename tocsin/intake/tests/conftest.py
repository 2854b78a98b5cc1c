"""What the intake tests share: the reporter's requests, sample evidence, and
the checks that nothing was stored.

Each test gets its own empty evidence and upload folders (under the data
directory, so the canary test still reads them), and an empty cache, so the
receipt-guess counter of one test never throttles the next."""

from __future__ import annotations

import html
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django_ratelimit.core import _get_window

from tocsin.accounts.actions import unlock_private_key
from tocsin.audit.models import Entry
from tocsin.cases.actions import send_to_reporter
from tocsin.cases.models import Case, CaseKey, CustodyEntry, Evidence, Message
from tocsin.conftest import PASSWORD, VALID_REPORT
from tocsin.crypto import boxes
from tocsin.intake import followup

# The report of the shared fixture ``report`` (tocsin/conftest.py), as the HTML
# form sends it: the JSON's nested objects become the form's flat fields.
FORM_REPORT: dict[str, str | list[str]] = {
    **{name: value for name, value in VALID_REPORT.items() if isinstance(value, str | list)},
    "items_seized_count": str(VALID_REPORT["items_seized"]["count"]),
    "items_seized_kind": VALID_REPORT["items_seized"]["kind"],
    "contact_kind": VALID_REPORT["contact"]["kind"],
    "contact": VALID_REPORT["contact"]["value"],
}

# Smallest files that the type check recognises by their first bytes.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 20 + b"PK\x05\x06" + b"\x00" * 18
TEXT = "Протокол обыска № 12. Изъято: 4 ноутбука.\n".encode()


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart body, with its name exactly as sent."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"
    field: str = "files"


def multipart(fields: dict[str, Any] | list[tuple[str, Any]],
              files: Sequence[Upload] = ()) -> tuple[bytes, str]:
    """A multipart body built by hand, because Django's test encoder rewrites
    file names (``../x.pdf`` becomes ``x.pdf``) and cannot send broken bytes."""
    boundary = "tocsin" + secrets.token_hex(12)
    items = fields.items() if isinstance(fields, dict) else fields
    parts: list[bytes] = []
    for name, value in items:
        for single in value if isinstance(value, list) else [value]:
            raw = single if isinstance(single, bytes) else str(single).encode()
            parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + raw)
    for upload in files:
        parts.append(
            f'Content-Disposition: form-data; name="{upload.field}"; filename="{upload.name}"\r\n'
            f"Content-Type: {upload.content_type}\r\n\r\n".encode() + upload.content
        )
    body = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts)
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Reporter:
    """An anonymous visitor using the report form as a browser would: the form
    is fetched first, and its CSRF token is sent back with the report."""

    client: Client = field(default_factory=lambda: Client(enforce_csrf_checks=True))
    headers: dict[str, str] = field(default_factory=dict)

    def open_form(self) -> Any:
        return self.client.get("/report/", headers=self.headers)

    def csrf_token(self) -> str:
        page = self.open_form()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert match, page.content
        return match[1]

    def send(self, overrides: dict[str, Any] | None = None, files: Sequence[Upload] = (),
             *, without: tuple[str, ...] = (), csrf: bool = True) -> Any:
        fields = {**FORM_REPORT, **(overrides or {})}
        for name in without:
            fields.pop(name, None)
        if csrf:
            fields["csrfmiddlewaretoken"] = self.csrf_token()
        body, content_type = multipart(fields, files)
        return self.send_body(body, content_type)

    def send_body(self, body: bytes, content_type: str, **extra: Any) -> Any:
        return self.client.post("/report/", body, content_type=content_type, headers=self.headers,
                                **extra)

    def follow_up(self, receipt: str) -> Any:
        page = self.client.get("/followup/", headers=self.headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert token, page.content
        return self.client.post("/followup/", {"receipt": receipt, "csrfmiddlewaretoken": token[1]},
                                headers=self.headers)


@pytest.fixture
def reporter() -> Reporter:
    return Reporter()


class Api:
    """A script talking to ``/api/v1/``."""

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.client = Client()
        self.headers = headers or {}

    def send_json(self, document: Any) -> Any:
        return self.client.post("/api/v1/reports", document, content_type="application/json",
                                headers=self.headers)

    def send_bytes(self, body: bytes, content_type: str = "application/json", **extra: Any) -> Any:
        # CONTENT_TYPE again, since the test client leaves it out of an empty body.
        return self.client.post("/api/v1/reports", body, content_type=content_type,
                                headers=self.headers, **{"CONTENT_TYPE": content_type, **extra})

    def send_multipart(self, overrides: dict[str, Any] | None = None,
                       files: Sequence[Upload] = (), *, without: tuple[str, ...] = ()) -> Any:
        fields = {**FORM_REPORT, **(overrides or {})}
        for name in without:
            fields.pop(name, None)
        return self.send_bytes(*multipart(fields, files))

    def status(self, authorization: str | None) -> Any:
        headers = dict(self.headers)
        if authorization is not None:
            headers["Authorization"] = authorization
        return self.client.get("/api/v1/reports/status", headers=headers)


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def own_folders(settings: Any) -> Iterator[None]:
    """Fresh evidence and upload folders, inside the data directory."""
    root = Path(django_settings.DATA_DIR) / f"test-{secrets.token_hex(6)}"
    settings.MEDIA_ROOT = root / "evidence"
    settings.UPLOAD_TEMP_DIR = root / "tmp"
    yield
    shutil.rmtree(root, ignore_errors=True)


def files_under(*folders: Path | str) -> list[Path]:
    return sorted(path for folder in folders if Path(folder).exists()
                  for path in Path(folder).rglob("*") if path.is_file())


@dataclass(frozen=True)
class Stored:
    """How much intake has written: rows that a report adds, and files."""

    cases: int
    keys: int
    evidence: int
    custody: int
    messages: int
    audit: int
    files: tuple[Path, ...]

    @classmethod
    def now(cls) -> Stored:
        return cls(Case.objects.count(), CaseKey.objects.count(), Evidence.objects.count(),
                   CustodyEntry.objects.count(), Message.objects.count(), Entry.objects.count(),
                   tuple(files_under(django_settings.MEDIA_ROOT, django_settings.UPLOAD_TEMP_DIR)))


@pytest.fixture
def nothing_stored(db: None) -> Callable[[], None]:
    """Call after a refused request: no row, audit entry or file was added.

    Take it as the last fixture, after the people a test needs exist."""
    before = Stored.now()

    def check() -> None:
        assert Stored.now() == before

    return check


def database_dump() -> bytes:
    """Every value of every row of every table, as bytes, read with a plain
    cursor so no model or field conversion can hide anything."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    else:
                        chunks.append(str(value).encode("utf-8", "surrogatepass"))
    return b"\n".join(chunks)


def receipt_of(response: Any) -> str:
    """The receipt shown on the form's receipt page."""
    match = re.search(r'id="receipt">([^<]+)<', response.content.decode())
    assert match, response.content
    return match[1].strip()


def reference_of(response: Any) -> str:
    match = re.search(r"<strong>(TX-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>", response.content.decode())
    assert match, response.content
    return match[1]


SUMMARY_ITEM = re.compile(r'<li><a href="#field-([a-z_]+)">[^<]*</a>: (.*?)</li>', re.S)
REFUSAL = re.compile(r'<p class="error">(.*?)</p>', re.S)


def form_errors(response: Any) -> dict[str, list[str]]:
    """The errors the form page lists, by field name, as the reporter reads them."""
    page = response.content.decode()
    errors: dict[str, list[str]] = {}
    for name, message in SUMMARY_ITEM.findall(page):
        errors.setdefault(name, []).append(html.unescape(message))
    if not errors and (refusal := REFUSAL.search(page)):
        errors["__all__"] = [html.unescape(refusal[1].strip())]
    return errors


class FormChannel:
    """Reports sent through the HTML form at /report/."""

    name = "form"

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.reporter = Reporter(headers=headers or {})

    def send(self, overrides: dict[str, Any] | None = None, files: Sequence[Upload] = (),
             *, without: tuple[str, ...] = ()) -> Any:
        return self.reporter.send(overrides, files, without=without)

    def send_body(self, body: bytes, content_type: str, **extra: Any) -> Any:
        return self.reporter.send_body(body, content_type, **extra)

    def token_field(self) -> dict[str, str]:
        return {"csrfmiddlewaretoken": self.reporter.csrf_token()}

    @staticmethod
    def errors(response: Any) -> dict[str, list[str]]:
        return form_errors(response)


class ApiChannel:
    """Reports sent as multipart to POST /api/v1/reports, with the form's field names."""

    name = "api"

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.api = Api(headers)

    def send(self, overrides: dict[str, Any] | None = None, files: Sequence[Upload] = (),
             *, without: tuple[str, ...] = ()) -> Any:
        return self.api.send_multipart(overrides, files, without=without)

    def send_body(self, body: bytes, content_type: str, **extra: Any) -> Any:
        return self.api.send_bytes(body, content_type, **extra)

    def token_field(self) -> dict[str, str]:
        return {}

    @staticmethod
    def errors(response: Any) -> dict[str, list[str]]:
        return response.json()["errors"]


Channel = FormChannel | ApiChannel


@pytest.fixture(params=["form", "api"])
def channel(request: pytest.FixtureRequest) -> Channel:
    """Each multipart test runs against the HTML form and against the API."""
    return FormChannel() if request.param == "form" else ApiChannel()


def case_key_for(user: Any, case: Case) -> bytes:
    """The case key as ``user`` opens it: their private key unwrapped with their password."""
    private = unlock_private_key(user, PASSWORD)
    assert private is not None
    sealed = CaseKey.objects.get(case=case, user=user).sealed_key
    return boxes.unseal(bytes(sealed), private)


def reply(case: Case, responder: Any, body: str) -> Message:
    """A responder's message to the reporter, written by the cases action."""
    return send_to_reporter(case, case_key_for(responder, case), body, acting_user=responder)


def guesser_window_is_fresh(remote_addr: str = "127.0.0.1") -> None:
    """Wait if the receipt-guess window of this address ends within 3 seconds.

    django-ratelimit counts in fixed one-minute windows; a test that guesses
    across the end of one would see its count reset and fail by chance."""
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr)
    key = followup._client("receipt-guess", request)
    left = _get_window(key, 60) - time.time()
    if left < 3:
        time.sleep(max(left, 0) + 0.5)
