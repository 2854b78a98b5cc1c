"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tocsin.server.rows import Insert, Statement

from .models import Entry, Head

GENESIS = "0" * 64


def _digest(seq: int, at: str, actor_id: int | None, action: str, target: str,
            detail: dict[str, Any], prev_hash: str) -> str:
    body = json.dumps(
        [seq, at, actor_id, action, target, detail, prev_hash],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(action: str, *, actor: Any = None, target: str = "", **detail: Any) -> Entry:
    """Append an entry. Must run inside the transaction of the change it records,
    so the entry and the change commit or vanish together."""
    return record_many(action, [(target, detail)], actor=actor)[0]


def record_many(action: str, entries: Sequence[tuple[str, dict[str, Any]]], *,
                actor: Any = None) -> list[Entry]:
    """Append one entry of ``action`` per (target, detail), in order, with one
    read and one move of the head (the worker opens reports in batches).
    Must run inside the transaction of the changes they record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the action's transaction")
    if not entries:
        return []
    seq, prev_hash = _lock_head()
    now = timezone.now()
    at = now.isoformat()
    actor_id = actor.pk if actor is not None else None
    appended = []
    for target, detail in entries:
        seq += 1
        digest = _digest(seq, at, actor_id, action, target, detail, prev_hash)
        appended.append(Entry(seq=seq, at=now, actor_id=actor_id, action=action, target=target,
                              detail=detail, prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    # Plain statements rather than the ORM's: the head is locked until commit.
    _insert_entry.rows(appended)
    _move_head.rows([seq, prev_hash])
    return appended


_insert_entry = Insert(Entry)
_move_head = Statement("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1")
_read_head = Statement("SELECT seq, hash FROM audit_head WHERE id = 1")
_lock_head_row = Statement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")


def _lock_head() -> tuple[int, str]:
    """The newest entry's number and hash, with the head row locked until
    the caller's transaction ends (SQLite's write lock already is)."""
    found = (_lock_head_row if connection.features.has_select_for_update else _read_head).rows()
    if not found:  # the first entry ever
        head, _ = Head.objects.select_for_update().get_or_create(pk=1)
        return head.seq, head.hash
    return int(found[0][0]), str(found[0][1])


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


@dataclass(frozen=True)
class Anchor:
    """An entry's number and hash, copied somewhere the server cannot write
    (``tocsin audit anchor``). Every entry's hash covers all before it, so a
    log that still holds this entry with this hash is the log it was then."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, _, digest = text.strip().partition(":")
        if not seq.isdigit() or int(seq) < 1 or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise ValueError(f"{text.strip()[:80]!r} is not an anchor: NUMBER:HASH as `tocsin audit "
                             "anchor` prints it (a number from 1, a colon, 64 hexadecimal digits)")
        return cls(int(seq), digest)


def anchor() -> Anchor | None:
    """The newest entry's anchor, or None while the log is empty."""
    head = Head.objects.filter(pk=1).first()
    return Anchor(head.seq, head.hash) if head is not None and head.seq else None


def verify(anchors: Sequence[Anchor] = ()) -> Break | None:
    """Walk the chain from the start; return the first broken link, or None.

    Safe to run while entries are being appended: the head is read after the
    walk, and entries committed meanwhile (with their head) are walked too.
    Alone it cannot see a rewrite that recomputes every hash after the change
    and the head as well; an ``anchor`` kept elsewhere from before the
    rewrite shows it (the entry it names no longer has its hash)."""
    broken = _walk()
    if broken is not None:
        return broken
    for kept in sorted(anchors, key=lambda a: a.seq):
        entry = Entry.objects.filter(seq=kept.seq).only("hash").first()
        if entry is None:
            return Break(kept.seq, "the anchor kept elsewhere names an entry the log no longer has")
        if entry.hash != kept.hash:
            return Break(kept.seq, "its hash differs from the anchor kept elsewhere: the log was rewritten")
    return None


def _walk() -> Break | None:
    expected_seq, prev = 1, GENESIS
    while True:
        entries = Entry.objects.filter(seq__gte=expected_seq).order_by("seq")
        for entry in entries.iterator(chunk_size=2000):
            if entry.seq != expected_seq:
                return Break(expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != prev:
                return Break(entry.seq, "does not follow the entry before it")
            digest = _digest(entry.seq, entry.at.isoformat(), entry.actor_id, entry.action,
                             entry.target, entry.detail, entry.prev_hash)
            if digest != entry.hash:
                return Break(entry.seq, "its contents were changed")
            expected_seq, prev = expected_seq + 1, entry.hash
        last = expected_seq - 1
        head = Head.objects.filter(pk=1).first()
        if head is None:
            return Break(last, "the record of the newest entry is missing") if last else None
        if head.seq < last:
            return Break(head.seq + 1, f"it was added after the newest entry, {head.seq}")
        if head.seq > last:
            if Entry.objects.filter(seq=expected_seq).exists():
                continue  # appended while we walked: walk on
            return Break(expected_seq, f"entries after {last} were deleted")
        if head.hash != prev:
            return Break(last, "it is not the newest entry that was recorded")
        return None
