"""Throttling password and code guesses without storing who guessed.

Only failures count. They are counted in the cache (process memory, or Redis
without persistence), never in the database, under three keys: the username
typed (so guessing one account from many addresses stops), the account that
passed its password (for codes), and a keyed hash of the client's address (so
trying many usernames from one address stops). The address itself is never
written anywhere; the hash is keyed with the secret key, so a copy of the
cache cannot be matched against a list of addresses. Counters expire with
their window.

A throttled client is refused before its password or code is even checked, so
a right guess made while throttled is not told apart from a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

import nacl.encoding
import nacl.hash
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from .models import User


@dataclass(frozen=True)
class Verdict:
    throttled: bool
    seconds_left: int = 0


def _address(group: str, request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return nacl.hash.blake2b(
        address.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16,
        person=b"tocsin-login", encoder=nacl.encoding.HexEncoder,
    ).decode()


def _limits(request: HttpRequest, username: str | None, account: User | None) -> list[tuple[str, str, int]]:
    """(group, key value, limit) for every counter that applies to this attempt."""
    limits = [("login-failure-address", _address("", request), settings.LOGIN_FAILURES_PER_ADDRESS)]
    if username:
        # Case-folded: "Rita" and "rita" are one target for a guesser.
        limits.append(("login-failure-username", username.casefold(), settings.LOGIN_FAILURES_PER_USERNAME))
    if account is not None:
        limits.append(("otp-failure-account", str(account.pk), settings.OTP_FAILURES_PER_ACCOUNT))
    return limits


def _usage(request: HttpRequest, group: str, value: str, limit: int, *, count: bool) -> dict | None:
    return get_usage(
        request, group=group, key=lambda _group, _request: value,
        rate=f"{limit}/{settings.LOGIN_FAILURE_WINDOW_SECONDS}s", increment=count,
    )


def check(request: HttpRequest, *, username: str | None = None, account: User | None = None) -> Verdict:
    """Whether this client may try again: a password for ``username``, or a code
    for ``account``. django-ratelimit would only limit once the count *exceeds*
    the limit, one guess more than the setting promises; a cache it cannot read
    reports a limit of 0, so this fails closed."""
    left = [
        max(usage["time_left"], 1)
        for group, value, limit in _limits(request, username, account)
        if (usage := _usage(request, group, value, limit, count=False)) is not None
        and usage["count"] >= usage["limit"]
    ]
    return Verdict(True, max(left)) if left else Verdict(False)


def count_failure(request: HttpRequest, *, username: str | None = None,
                  account: User | None = None) -> list[str]:
    """Count one failed attempt; the names of the counters it used up (for the audit log)."""
    exhausted = []
    for group, value, limit in _limits(request, username, account):
        usage = _usage(request, group, value, limit, count=True)
        if usage is not None and usage["count"] == usage["limit"]:
            exhausted.append(group.rsplit("-", 1)[-1])
    return exhausted
