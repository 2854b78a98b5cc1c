"""Writing alerts with their event, and delivering them at least once.

The life of an alert row: written ``pending`` in the event's transaction
(``announce``); claimed by a worker, which pushes ``next_attempt_at`` out by
the lease (``claim``) -- or, on SQLite, taken by the one worker allowed to
deliver there, without a write (``take``); sent (``deliver``); marked
``delivered``, or put back with a back-off, or -- after ``MAX_ATTEMPTS`` or a
failure retrying cannot mend -- marked ``dead`` for an administrator to see
(``record``).

A worker that dies between taking and recording leaves its rows pending
(claimed ones with a lease that simply runs out), and another worker takes
them again: that is the one case in which a receiver gets the same
idempotency key twice."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Team

from . import secrets as channel_secrets
from . import transport, wakeup
from .models import Alert, Channel

log = logging.getLogger("tocsin.alerts")

MAX_ATTEMPTS = 12
# Per connection and per read; a delivery is over well within the lease.
SEND_TIMEOUT = 10.0


def lease() -> dt.timedelta:
    """How long a claimed row is its worker's. It must outlast one delivery
    (name lookup plus ``SEND_TIMEOUT`` to connect and to read), or a slow
    receiver gets the alert twice; it is also how long alerts claimed by a
    worker that died wait before another worker takes them."""
    return dt.timedelta(seconds=getattr(settings, "ALERT_LEASE_SECONDS", 60))


def backoff(attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: 5 s, 10 s, 20 s ... capped at 30 minutes.
    ``MAX_ATTEMPTS`` attempts span about 1 h 45 min, inside a helpline's
    two-hour promise, so a dead letter is seen while it still matters."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


@dataclass(frozen=True)
class Announcement:
    """What an alert says. ``fields`` must hold only what DESIGN.md lets an
    alert carry -- reference, country, act types, severity, a link -- never
    narrative, names, contacts or places."""

    event: str
    title: str
    reference: str = ""
    fields: dict[str, str] | None = None


def announce(announcement: Announcement, *, teams: Iterable[Team] = (), users: Iterable[Any] = (),
             channels: Iterable[Channel] = ()) -> int:
    """Write one alert per channel of ``teams`` and ``users`` (and per one of
    ``channels``) in the caller's transaction, and arrange the worker's
    wake-up on commit. Returns the count.

    Every alert of one announcement shares an event id; the idempotency key
    adds the channel, so it is unique per row and the same on every retry.
    A caller that already knows the channels' ids uses ``announce_each``."""
    team_ids = [team.pk for team in teams]
    # A queryset of users stays a subquery: one query less inside the event's transaction.
    user_ids: Any = users.values("pk") if isinstance(users, QuerySet) else [user.pk for user in users]
    named = [channel.pk for channel in channels]
    owned = Q(team_id__in=team_ids) | Q(user_id__in=user_ids) | Q(pk__in=named)
    channel_ids = Channel.objects.filter(owned).order_by("pk").values_list("pk", flat=True)
    return announce_each([(announcement, channel_ids)])


def announce_each(announcements: Sequence[tuple[Announcement, Iterable[int]]]) -> int:
    """``announce`` for several announcements, each to the channels whose
    ids the caller knows (the worker opening a batch of reports, from its
    directory snapshot): one INSERT for them all. Returns the count."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("announce() must run inside the event's transaction")
    now = timezone.now()
    rows = []
    for announcement, channel_ids in announcements:
        event_id = secrets.token_hex(12)
        payload = {"title": str(announcement.title), **(announcement.fields or {})}
        rows += [Alert(channel_id=channel_id, event=announcement.event, reference=announcement.reference,
                       payload=payload, idempotency_key=f"{event_id}-{channel_id}",
                       next_attempt_at=now, created_at=now)
                 for channel_id in channel_ids]
    if rows:
        Alert.objects.bulk_create(rows)
        wakeup.notify_on_commit()
    return len(rows)


# The order and the names of the lines of an alert's text.
LINES = [
    ("reference", _("Case")),
    ("country", _("Country")),
    ("act_types", _("Acts")),
    ("severity", _("Severity")),
    ("link", _("Link")),
    ("event", _("Event")),
    ("idempotency_key", _("Idempotency key")),
]


def message_for(alert: Alert) -> transport.Message:
    """The message of ``alert``: its title, a line per field, and the same
    fields for receivers that read JSON. Rendered in the site's language:
    the worker knows nothing of a responder's own."""
    payload = dict(alert.payload)
    title = str(payload.pop("title", alert.event))
    fields = {"event": alert.event, "reference": alert.reference,
              **{str(key): str(value) for key, value in payload.items()},
              "idempotency_key": alert.idempotency_key}
    with translation.override(settings.LANGUAGE_CODE):
        labels = {key: str(label) for key, label in LINES}
    ordered = [key for key, _label in LINES] + sorted(set(fields) - set(labels))
    body = "\n".join(f"{labels.get(key, key.replace('_', ' ').capitalize())}: {fields[key]}"
                     for key in ordered if fields.get(key))
    return transport.Message(title=title, body=body, idempotency_key=alert.idempotency_key, fields=fields)


@dataclass(frozen=True)
class Outcome:
    """How one delivery went: ``error`` is None on success."""

    alert: Alert
    error: str | None = None
    permanent: bool = False


def deliver(alert: Alert) -> Outcome:
    """Send one claimed alert. Never raises: any failure is an outcome to record.
    Safe to run in a thread (no database access; the channel was fetched with
    the claim)."""
    url = ""
    try:
        url = channel_secrets.open_url(bytes(alert.channel.sealed_url))
        transport.send(url, message_for(alert), allow_private=alert.channel.allow_private,
                       timeout=SEND_TIMEOUT)
    except transport.Undeliverable as exc:
        return Outcome(alert, _reason(exc, url), permanent=True)
    except Exception as exc:  # any other failure is retried; the reason is kept short
        return Outcome(alert, _reason(exc, url))
    return Outcome(alert)


def _reason(exc: Exception, url: str) -> str:
    """Why a delivery failed, for the dead-letter page and the log: never
    the channel's credentials (see ``transport.redact``)."""
    return transport.redact(f"{type(exc).__name__}: {exc}", url)[:300]


def _due(now: dt.datetime) -> QuerySet[Alert]:
    return Alert.objects.filter(status=Alert.Status.PENDING, next_attempt_at__lte=now)


def _claim_locked(limit: int, now: dt.datetime) -> list[Alert]:
    """The claim itself; the caller holds a transaction."""
    if limit <= 0:
        return []
    # of=("self",): lock the alert rows only. Locking the joined channel too
    # would make other workers skip every alert of that channel meanwhile.
    rows = list(
        _due(now).select_for_update(skip_locked=True, of=("self",))
        .select_related("channel").order_by("next_attempt_at", "id")[:limit]
    )
    if rows:
        Alert.objects.filter(pk__in=[row.pk for row in rows]).update(
            next_attempt_at=now + lease(), attempts=F("attempts") + 1
        )
    for row in rows:
        row.attempts += 1
    return rows


def take(limit: int, *, exclude: Collection[int] = (), now: dt.datetime | None = None) -> list[Alert]:
    """The sole deliverer's claim: due rows other than ``exclude`` (its own in
    flight or not yet recorded), by a plain read -- no write, so on SQLite no
    wait for the write lock between a report's commit and its delivery.

    Only for a worker that holds the data directory's outbox lock
    (``worker.sole_deliverer``): nobody else may deliver meanwhile. If it
    dies, its rows are still due and the next one takes them at once."""
    now = timezone.now() if now is None else now
    if limit <= 0:
        return []
    rows = list(_due(now).exclude(pk__in=list(exclude)).select_related("channel")
                .order_by("next_attempt_at", "id")[:limit])
    for row in rows:
        row.attempts += 1  # written when the outcome is recorded
    return rows


def _record_locked(outcomes: Sequence[Outcome], now: dt.datetime) -> None:
    # ``attempts`` is written here too: a claim has counted it already, ``take`` has not.
    delivered: dict[int, list[int]] = {}
    for outcome in outcomes:
        if outcome.error is None:
            delivered.setdefault(outcome.alert.attempts, []).append(outcome.alert.pk)
    for attempts, pks in delivered.items():
        Alert.objects.filter(pk__in=pks).update(
            status=Alert.Status.DELIVERED, delivered_at=now, last_error="", attempts=attempts
        )
    for outcome in outcomes:
        if outcome.error is None:
            continue
        alert = outcome.alert
        dead = outcome.permanent or alert.attempts >= MAX_ATTEMPTS
        # A row another worker delivered meanwhile (after our lease ran out) stays delivered.
        Alert.objects.filter(pk=alert.pk).exclude(status=Alert.Status.DELIVERED).update(
            status=Alert.Status.DEAD if dead else Alert.Status.PENDING, attempts=alert.attempts,
            next_attempt_at=now + backoff(alert.attempts), last_error=outcome.error,
        )
        (log.error if dead else log.warning)(
            "alert %s (%s, case %s) to channel %s failed, attempt %s%s: %s", alert.idempotency_key,
            alert.event, alert.reference or "-", alert.channel_id, alert.attempts,
            "; gave up, it is a dead letter now" if dead else "", outcome.error)


@contextlib.contextmanager
def _unsynced() -> Iterator[None]:
    """On SQLite, commit the worker's bookkeeping without waiting for the disk.

    Every SQLite transaction holds the one write lock that the web needs for
    each report, and a synced commit holds it for as long as the disk takes
    to flush. Claims and delivery marks need no flush: if a power cut takes
    the last of them back, their alerts are simply claimed and sent again --
    a repeat under the same idempotency key, never a loss. The alert rows
    themselves are written by the web in the report's own synced commit.
    (In WAL mode a commit with synchronous=NORMAL is durable at the next
    synced commit or checkpoint, and atomic always.)"""
    conn = transaction.get_connection()
    if conn.vendor != "sqlite" or conn.in_atomic_block:
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={previous:d}")


def exchange(outcomes: Sequence[Outcome] = (), limit: int = 0, now: dt.datetime | None = None) -> list[Alert]:
    """Record ``outcomes`` and claim up to ``limit`` due rows, in one
    transaction: on SQLite every transaction takes the one write lock, which
    the web needs for every report, so a worker under load takes it half as
    often as recording and claiming separately would (and briefly: see
    ``_unsynced``).

    On PostgreSQL, ``SKIP LOCKED`` lets several workers claim side by side
    without waiting for or doubling each other."""
    now = timezone.now() if now is None else now
    if not outcomes and (limit <= 0 or not _due(now).exists()):
        return []  # a plain read: no write lock for an idle poll
    with _unsynced(), transaction.atomic():
        _record_locked(outcomes, now)
        return _claim_locked(limit, now)


def claim(limit: int = 50, now: dt.datetime | None = None) -> list[Alert]:
    """Take up to ``limit`` due rows for this worker."""
    return exchange((), limit, now)


def record(outcomes: Sequence[Outcome], now: dt.datetime | None = None) -> None:
    exchange(outcomes, 0, now)


def deliver_due(pool: Executor | None = None, limit: int = 50, now: dt.datetime | None = None) -> int:
    """Claim, deliver and record one batch; return how many rows were claimed.
    The worker's loop pipelines the same steps (``worker.Dispatcher``); this
    is the simple form, for a single pass."""
    rows = claim(limit, now)
    if rows:
        record(list(pool.map(deliver, rows) if pool is not None else map(deliver, rows)), now)
    return len(rows)


def dead_letters() -> QuerySet[Alert]:
    """Alerts the worker gave up on, newest first, with their channel: for the
    administrators' page. Nothing in them is sensitive (see ``Announcement``)."""
    return (Alert.objects.filter(status=Alert.Status.DEAD).select_related("channel", "channel__team",
                                                                           "channel__user")
            .order_by("-created_at", "-id"))


def retry_dead(alert_ids: Iterable[int]) -> int:
    """Give dead letters a fresh series of attempts. The caller's action
    audits it and wakes the worker (``actions.retry_dead_letters``)."""
    return Alert.objects.filter(pk__in=list(alert_ids), status=Alert.Status.DEAD).update(
        status=Alert.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )


def case_link(reference: str) -> str:
    return f"{settings.BASE_URL}/staff/cases/{reference}/"
