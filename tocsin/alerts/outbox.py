"""Writing alerts with their event, and delivering them at least once."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tocsin.accounts.models import Team

from . import secrets as channel_secrets
from . import transport, wakeup
from .models import Alert, Channel

log = logging.getLogger("tocsin.alerts")

# A claimed row is someone's for this long; a worker that dies mid-delivery
# releases it by simply not finishing.
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 30 minutes: about 3 hours of retrying in all."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


@dataclass(frozen=True)
class Announcement:
    event: str
    title: str
    reference: str = ""
    fields: dict[str, str] | None = None


def announce(announcement: Announcement, *, teams: Iterable[Team] = (), users: Iterable[Any] = ()) -> int:
    """Write one alert per channel of ``teams`` and ``users`` in the caller's
    transaction, and arrange the worker's wake-up on commit. Returns the count."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("announce() must run inside the event's transaction")
    team_ids = [team.pk for team in teams]
    user_ids = [user.pk for user in users]
    channels = Channel.objects.filter(Q(team_id__in=team_ids) | Q(user_id__in=user_ids)).only("pk")
    now = timezone.now()
    event_id = secrets.token_hex(12)
    rows = [
        Alert(channel_id=channel.pk, event=announcement.event, reference=announcement.reference,
              payload={"title": announcement.title, **(announcement.fields or {})},
              idempotency_key=f"{event_id}-{channel.pk}", next_attempt_at=now, created_at=now)
        for channel in channels
    ]
    if rows:
        Alert.objects.bulk_create(rows)
        wakeup.notify_on_commit()
    return len(rows)


def _message(alert: Alert) -> transport.Message:
    payload = dict(alert.payload)
    title = str(payload.pop("title", alert.event))
    fields = {"event": alert.event, "reference": alert.reference, **{k: str(v) for k, v in payload.items()},
              "idempotency_key": alert.idempotency_key}
    body = "\n".join(f"{key.replace('_', ' ').capitalize()}: {value}" for key, value in fields.items() if value)
    return transport.Message(title=title, body=body, idempotency_key=alert.idempotency_key, fields=fields)


def claim(limit: int = 50) -> list[Alert]:
    """Take up to ``limit`` due rows. On PostgreSQL, ``SKIP LOCKED`` lets
    several workers claim side by side without waiting for or doubling each
    other; on SQLite the write lock serialises the claim."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(status=Alert.Status.PENDING, next_attempt_at__lte=now)
            .select_related("channel")
            .order_by("next_attempt_at", "id")[:limit]
        )
        if rows:
            Alert.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + LEASE, attempts=F("attempts") + 1
            )
    for row in rows:
        row.attempts += 1
    return rows


def _deliver_one(alert: Alert) -> tuple[int, str | None]:
    try:
        transport.send(channel_secrets.open_url(bytes(alert.channel.sealed_url)), _message(alert),
                       allow_private=alert.channel.allow_private)
    except Exception as exc:  # any failure is retried; the reason is kept short
        return alert.pk, f"{type(exc).__name__}: {exc}"[:300]
    return alert.pk, None


def _record_failure(alert: Alert, error: str) -> None:
    dead = alert.attempts >= MAX_ATTEMPTS
    Alert.objects.filter(pk=alert.pk).update(
        status=Alert.Status.DEAD if dead else Alert.Status.PENDING,
        next_attempt_at=timezone.now() + backoff(alert.attempts), last_error=error,
    )
    log.warning("alert %s to channel %s failed (attempt %s%s): %s", alert.idempotency_key,
                alert.channel_id, alert.attempts, ", giving up" if dead else "", error)


def deliver_due(pool: ThreadPoolExecutor | None = None, limit: int = 50) -> int:
    """Claim and deliver one batch; return how many rows were claimed.

    Successes are marked in one statement: on SQLite every write is a synced
    commit, and a commit per alert would halve the worker's throughput."""
    rows = claim(limit)
    if not rows:
        return 0
    by_pk = {row.pk: row for row in rows}
    results = list(pool.map(_deliver_one, rows) if pool is not None else map(_deliver_one, rows))
    delivered = [pk for pk, error in results if error is None]
    if delivered:
        Alert.objects.filter(pk__in=delivered).update(
            status=Alert.Status.DELIVERED, delivered_at=timezone.now(), last_error=""
        )
    for pk, error in results:
        if error is not None:
            _record_failure(by_pk[pk], error)
    return len(rows)


def retry_dead(alert_ids: Iterable[int]) -> int:
    return Alert.objects.filter(pk__in=list(alert_ids), status=Alert.Status.DEAD).update(
        status=Alert.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )


def case_link(reference: str) -> str:
    return f"{settings.BASE_URL}/staff/cases/{reference}/"
