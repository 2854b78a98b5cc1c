"""Each token has its own bucket of requests per minute; over it, 429."""

from __future__ import annotations

import types

import django_ratelimit.core
import pytest
from django.core.cache import cache

pytestmark = pytest.mark.urls("tocsin.tokens.tests.urls")


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):  # type: ignore[no-untyped-def]
    """Counting windows are fixed minutes; a test that ran across a window's
    end would see its count start again. Hold django-ratelimit's clock still."""
    clock = types.SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", clock)


def test_it_refuses_the_request_past_the_rate_with_429(issue, call):
    created = issue(rate=3)
    statuses = [call(f"Bearer {created.token}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = call(f"Bearer {created.token}")
    assert "Try again in" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_two_tokens_do_not_share_a_bucket(issue, call):
    first, second = issue(name="First", rate=2), issue(name="Second", rate=2)
    assert [call(f"Bearer {first.token}").status_code for _ in range(3)] == [200, 200, 429]
    assert [call(f"Bearer {second.token}").status_code for _ in range(3)] == [200, 200, 429]


def test_refused_tokens_use_up_nobody_s_bucket(issue, call):
    created = issue(rate=2)
    for _ in range(5):
        assert call("Bearer tocsin_aaaaaaaa_" + "a" * 40).status_code == 401
    assert [call(f"Bearer {created.token}").status_code for _ in range(3)] == [200, 200, 429]


def test_the_token_never_reaches_the_cache(issue, call):
    created = issue(rate=2)
    call(f"Bearer {created.token}")
    stored = repr(cache._cache) + repr(cache._expire_info)  # type: ignore[attr-defined]
    assert created.token not in stored
    assert created.token.rsplit("_", 1)[1] not in stored


def test_the_default_rate_comes_from_the_setting(issue, settings):
    settings.API_TOKEN_REQUESTS_PER_MINUTE = 42
    assert issue().api_token.requests_per_minute == 42
