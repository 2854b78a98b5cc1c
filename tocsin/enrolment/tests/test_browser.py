"""Enrolment in a real browser, JavaScript off: a group applies in Russian with
a PDF, a responder vouches, a reviewer approves, the certificate's QR link
says "valid"; after revocation it says "revoked". No request leaves the site.

Drives Debian's Chromium like ``tocsin.intake.tests.test_browser``. The ORM is
not called on the test's own thread while Playwright's loop runs there; the
one change made behind the browser's back (the revocation, as an
administrator's command would) runs on a thread of its own."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tocsin.conftest import PASSWORD
from tocsin.intake.tests.test_browser import (
    PHONE,
    Visits,
    chromium,
    code_for,
    fits_a_phone,
    follow,
    submit,
    tiny_pdf,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["chromium"]  # the fixture, imported to be used here
pytestmark = pytest.mark.browser


def on_own_thread(job: Callable[[], Any]) -> Any:
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(job())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0] if result else None


def log_in(browser: Browser, origin: str, username: str) -> tuple[Any, Page]:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{origin}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    submit(page, "main form")
    assert page.url == f"{origin}/accounts/enrol/"
    page.fill("#id_code", code_for(page.locator("#manual-key").inner_text()))
    submit(page, "main form")
    return context, page


def revoke_all() -> int:
    from tocsin.accounts.models import User
    from tocsin.attestations.actions import revoke_attestation
    from tocsin.attestations.models import Attestation

    vera = User.objects.get(username="vera")
    for attestation in Attestation.objects.filter(revoked_at__isnull=True):
        revoke_attestation(attestation, acting_user=vera, reason="The group asked for it.")
    return Attestation.objects.filter(revoked_at__isnull=False).count()


def test_apply_vouch_approve_verify_revoke(
    live_server: Any, rita: Any, vera: Any, tmp_path: Path, chromium: Browser
) -> None:
    origin = live_server.url
    (tmp_path / "устав.pdf").write_bytes(tiny_pdf("Charter of the group"))

    # -- The group applies, in Russian, on a phone -------------------------------
    group = chromium.new_context(locale="ru-RU", viewport=PHONE, java_script_enabled=False)
    group_visits = Visits(group)
    page = group.new_page()
    assert page.goto(f"{origin}/enrol/").status == 200  # type: ignore[union-attr]
    assert page.locator("html").get_attribute("lang") == "ru"
    fits_a_phone(page)
    page.select_option("#id_kind", "informal_group")
    page.fill("#id_name", "Инициативная группа «Чистый Байкал»")
    page.fill("#id_name_en", "Clean Baikal initiative")
    page.select_option("#id_country", "RU")
    page.fill("#id_government_share", "0")
    page.select_option("#id_not_for_profit", "yes")
    page.fill("#id_mission", "Мы убираем берега Байкала вместе с жителями.")  # noqa: RUF001
    page.check("#id_community_mission")
    page.check("input[name=contact_kind][value=email]")
    page.fill("#id_contact", "clean-baikal@example.org")
    page.set_input_files("#id_governing_documents", tmp_path / "устав.pdf")
    response = submit(page, "form[enctype='multipart/form-data']")
    assert response.status == 201, page.locator("main").inner_text()
    receipt = page.locator("#receipt").inner_text().strip()
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"\d{5}(-\d{5}){4}", receipt)

    # -- A responder (a trusted partner) vouches -------------------------------------
    partner, page = log_in(chromium, origin, "rita")
    page.goto(f"{origin}/staff/enrolment/")
    follow(page, page.get_by_role("link", name=reference))
    assert page.locator("#contact").count() == 0  # a partner never sees the contact
    page.fill("#id_reason", "We have worked with this group since 2019; registering would expose it.")
    follow(page, page.locator("button[name=vouch]"))
    assert "rita" in page.locator("#vouched").inner_text()
    partner.close()

    # -- A reviewer approves ------------------------------------------------------------
    reviewer, page = log_in(chromium, origin, "vera")
    reviewer_visits = Visits(reviewer)
    page.goto(f"{origin}/staff/enrolment/{reference}/")
    assert page.locator("#contact").inner_text() == "email: clean-baikal@example.org"
    with page.expect_download() as started:
        page.get_by_role("link", name="устав.pdf").click()
    assert Path(started.value.path()).read_bytes() == tiny_pdf("Charter of the group")
    page.fill("#id_approve-reason", "Vouched for by a partner; charter read.")
    follow(page, page.locator("button[name=approve]"))
    assert page.locator("#status").inner_text() == "Approved"

    # -- The certificate, its QR link, "valid" ---------------------------------------------
    follow(page, page.locator("#certificate"))
    assert page.locator("#fingerprint").inner_text()
    link = urlsplit(page.locator("#verify-link").get_attribute("href") or "")
    verify_path = f"{link.path}?{link.query}"
    checker = chromium.new_context(java_script_enabled=False)
    checker_visits = Visits(checker)
    police = checker.new_page()
    police.goto(f"{origin}{verify_path}")
    assert police.locator("#status").get_attribute("data-status") == "valid"

    # -- The group sees the certificate from its status page ----------------------------------
    page = group.new_page()
    page.goto(f"{origin}/enrol/status/")
    page.fill("#id_receipt", receipt)
    submit(page, "main form")
    assert page.locator("#certificate").count() == 1

    # -- Revoked ---------------------------------------------------------------------------------
    assert on_own_thread(revoke_all) == 1
    police.goto(f"{origin}{verify_path}")
    assert police.locator("#status").get_attribute("data-status") == "revoked"

    for context, visits in ((group, group_visits), (reviewer, reviewer_visits), (checker, checker_visits)):
        assert visits.outside(origin) == []
        context.close()
