"""An issued certificate in a real browser: print it, open its QR link, read
"valid"; revoke it, open the link again, read "revoked". JavaScript off, a
phone-sized screen, nothing fetched from anyone but Tocsin.

(The enrolment helper's browser test covers apply -> vouch/approve -> certificate.)"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection

from tocsin.attestations import actions
from tocsin.attestations.models import Attestation
from tocsin.intake.tests.test_browser import PHONE, Visits, follow
from tocsin.intake.tests.test_browser import chromium as chromium  # the fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture
def issued(transactional_db: None, live_server: Any, settings: Any, issue: Any) -> Attestation:
    # The QR code must lead to this server.
    settings.BASE_URL = live_server.url
    return issue()


def off_the_browsers_thread(work: Any) -> None:
    """ORM calls while Playwright's loop runs on this thread must happen on another."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised below
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


def test_certificate_qr_link_valid_then_revoked(live_server: Any, issued: Attestation, adam: Any,
                                                chromium: Browser) -> None:
    origin = live_server.url
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    visits = Visits(context)
    page = context.new_page()

    page.goto(f"{origin}/attestations/{issued.token_id}/")
    assert "Байкальская экологическая волна" in page.content()
    fingerprint = page.locator("#fingerprint").inner_text()
    assert len(fingerprint.split()) == 16
    assert page.locator("#verify-link img").is_visible()  # the QR code, printed
    href = page.locator("#verify-link").get_attribute("href")
    assert href is not None and href.startswith(f"{origin}/verify/?token=v1.")

    response = follow(page, page.locator("#verify-link"))
    assert response.status == 200
    assert page.locator("#status").get_attribute("data-status") == "valid"
    assert "Baikal Environmental Wave" in page.content()

    off_the_browsers_thread(lambda: actions.revoke_attestation(
        Attestation.objects.get(pk=issued.pk), acting_user=adam, reason="browser test"))

    page.goto(href)
    assert page.locator("#status").get_attribute("data-status") == "revoked"
    assert "Байкальская" not in page.content()

    page.goto(f"{origin}/attestations/{issued.token_id}/")
    assert page.locator("#revoked").is_visible()

    # Pasting the token by hand gives the same answer.
    page.goto(f"{origin}/verify/")
    token = href.split("token=", 1)[1]
    page.fill("#token", token)
    follow(page, page.locator("#verify-form button[type=submit]"))
    assert page.locator("#status").get_attribute("data-status") == "revoked"

    assert visits.outside(origin) == []
    context.close()
