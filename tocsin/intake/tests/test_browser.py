"""The reporter's journey in a real browser, the way the threat model expects it:
in Russian, on a phone-sized screen, with JavaScript off. Report with a PDF,
keep the receipt, come back through /followup/; then a responder logs in
for the first time (password, then setting up the authenticator app from the
page, as a person would type its key), reads the report decrypted and
downloads the file byte for byte.

Drives Debian's Chromium (``/usr/bin/chromium``) through Playwright's sync API.
Playwright's own browser downloads are never used. Set ``TOCSIN_SCREENSHOTS``
to a folder to keep screenshots of the Russian pages for a human to look at.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp

from tocsin.cases.models import Status
from tocsin.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TOCSIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
CYRILLIC = re.compile("[\u0400-\u04ff]")

NARRATIVE = (
    "Сотрудники ОБЭП пришли в 10:00 «проверить лицензии» и изъяли все компьютеры.\n"
    "Маркер браузерного теста: колокол-7f3a."
)
FILE_NAME = "протокол-изъятия.pdf"


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF that real viewers open: a catalogue, a page, one line of text."""
    content = b"BT /F1 18 Tf 36 100 Td (" + text.encode("ascii") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def code_for(typed_key: str) -> str:
    """What the responder's authenticator app shows for the key they typed in.
    Pure arithmetic: no database while Playwright's loop runs."""
    secret = typed_key.replace(" ", "")
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def russian(message: str) -> str:
    """What the page should say for ``message``: whatever the Russian catalogue says."""
    with translation.override("ru"):
        return gettext(message)


@pytest.fixture
def chromium(transactional_db: None) -> Iterator[Browser]:
    """Debian's Chromium, headless; skipped when absent unless TOCSIN_REQUIRE_ALL_TESTS=1.

    Playwright's sync API keeps an asyncio loop running on this thread, and
    Django refuses ORM calls while one runs. So the browser starts after the
    database fixtures (hence the dependency), closes before their teardown,
    and a test holding it does not touch the ORM itself."""
    reason = None
    if shutil.which(CHROMIUM) is None:
        reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "the playwright package is not installed (make test installs it from the lock)"
    if reason is not None:
        if os.environ.get("TOCSIN_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(f"{reason}; TOCSIN_REQUIRE_ALL_TESTS=1 forbids skipping browser tests")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visits:
    """Every URL a context asked for, to prove no third party is ever contacted."""

    def __init__(self, context: BrowserContext) -> None:
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))

    def outside(self, origin: str) -> list[str]:
        return [url for url in self.urls if not url.startswith(origin + "/")]


def fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone: {width}px wide"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("TOCSIN_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def follow(page: Page, target: Locator) -> Any:
    """Click a link or a submit button; the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        target.click()
    return navigation.value


def submit(page: Page, form: str) -> Any:
    return follow(page, page.locator(f"{form} button[type=submit]"))


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
def test_it_takes_a_russian_report_with_a_file_to_the_responder(
    live_server: Any, rita: Any, tmp_path: Path, chromium: Browser, javascript: bool,
) -> None:
    origin = live_server.url
    evidence = tiny_pdf("Protocol of seizure No. 17")
    (tmp_path / FILE_NAME).write_bytes(evidence)

    # -- The reporter: a phone set to Russian -------------------------------
    reporter = chromium.new_context(locale="ru-RU", viewport=PHONE, java_script_enabled=javascript)
    reporter_visits = Visits(reporter)
    page = reporter.new_page()
    first = page.goto(f"{origin}/report/")
    assert first is not None and first.status == 200
    assert page.locator("html").get_attribute("lang") == "ru"  # from Accept-Language

    follow(page, page.get_by_role("button", name="Русский"))  # the visible switcher
    assert page.url == f"{origin}/report/"
    assert page.get_by_role("button", name="Русский").get_attribute("aria-current") == "true"
    assert {c["name"]: c["value"] for c in reporter.cookies()}.get("django_language") == "ru"
    heading = page.locator("h1").inner_text()
    assert heading == russian("Report an incident")
    assert CYRILLIC.search(heading), f"the report form is not in Russian: {heading!r}"
    screenshot(page, "report-ru.png")
    fits_a_phone(page)

    for act_type in ("raid", "seizure"):
        page.check(f"input[name=act_types][value={act_type}]")
    page.fill("#id_occurred_on", "2025-03-15")
    page.select_option("#id_country", "RU")
    assert page.locator("#id_country option:checked").inner_text() == "Россия"
    page.fill("#id_locality", "Иркутск")
    page.fill("#id_narrative", NARRATIVE)
    page.check("input[name=contact_kind][value=signal]")
    page.fill("#id_contact", "+7 912 345 67 89")
    page.set_input_files("#id_files", tmp_path / FILE_NAME)
    response = submit(page, "form[enctype='multipart/form-data']")
    assert response.status == 201, page.locator("main").inner_text()

    receipt = page.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"\d{5}(-\d{5}){4}", receipt), receipt
    assert page.locator("h1").inner_text() == russian("Your report was received")
    screenshot(page, "receipt-ru.png")
    fits_a_phone(page)

    follow(page, page.locator("main a[href='/followup/']"))
    page.fill("#id_receipt", receipt.replace("-", " "))  # as someone would type it
    assert submit(page, "main form").status == 200
    with translation.override("ru"):
        waiting = str(Status.NEW.label)
    assert page.locator("#status").inner_text() == waiting
    screenshot(page, "followup-ru.png")
    fits_a_phone(page)
    reporter.close()

    # -- The responder: a fresh browser session -----------------------------
    responder = chromium.new_context(java_script_enabled=javascript, accept_downloads=True)
    responder_visits = Visits(responder)
    page = responder.new_page()
    page.goto(f"{origin}/accounts/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    submit(page, "main form")
    # The first login sets up two-step login: a QR code, and the key to type.
    assert page.url == f"{origin}/accounts/enrol/"
    qr_code = page.locator("main img.qr")
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")  # the CSP allows it
    screenshot(page, "enrol.png")
    page.fill("#id_code", code_for(page.locator("#manual-key").inner_text()))
    submit(page, "main form")
    assert page.url == f"{origin}/staff/"
    # The unwrapped private key's share lives only in an HttpOnly cookie.
    keyshare = next(c for c in responder.cookies() if c["name"] == "tocsin_keyshare")
    assert keyshare["httpOnly"] and keyshare["sameSite"] == "Strict"

    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    follow(page, rows.first.locator("a"))
    assert page.locator("#narrative").inner_text() == NARRATIVE
    link = page.get_by_role("link", name=FILE_NAME)
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == FILE_NAME
    assert Path(download.path()).read_bytes() == evidence
    responder.close()

    assert reporter_visits.outside(origin) == []
    assert responder_visits.outside(origin) == []
