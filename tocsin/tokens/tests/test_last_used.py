"""``last_used_at`` is coarse: at most one write a minute per token."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tocsin.tokens.models import ApiToken

pytestmark = pytest.mark.urls("tocsin.tokens.tests.urls")


def _updates(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if q["sql"].startswith("UPDATE")]


def test_the_first_use_is_recorded(issue, call):
    created = issue()
    assert created.api_token.last_used_at is None
    call(f"Bearer {created.token}")
    created.api_token.refresh_from_db()
    assert created.api_token.last_used_at is not None


def test_uses_within_a_minute_write_nothing(issue, call):
    created = issue()
    call(f"Bearer {created.token}")
    with CaptureQueriesContext(connection) as context:
        call(f"Bearer {created.token}")
    assert _updates(context) == []


def test_a_use_a_minute_later_is_recorded(issue, call):
    created = issue()
    earlier = timezone.now() - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=created.api_token.pk).update(last_used_at=earlier)
    call(f"Bearer {created.token}")
    created.api_token.refresh_from_db()
    assert created.api_token.last_used_at > earlier


def test_a_request_reads_the_token_with_one_query(issue, call):
    created = issue()
    call(f"Bearer {created.token}")
    with CaptureQueriesContext(connection) as context:
        call(f"Bearer {created.token}")
    selects = [q["sql"] for q in context.captured_queries if "tokens_apitoken" in q["sql"]]
    assert len(selects) == 1
