
"""An in-memory index of the registry's names, so a screening never scans it.

Each organisation's names (``name`` and ``name_en``) become keys of skeleton
words (``names.name_keys``). The index maps every word to the organisations
using it (a posting list) and every word's one-letter deletions to the words
(SymSpell-style), so a query word with one typo still finds its postings.
Neighbouring word pairs are indexed too, since two words common alone
("Свободный", "голос") are rare together. A lookup gathers candidates from
its rarest terms, ranks that bounded pool with rapidfuzz, and scores only the
best few in full (``names.keys_score``).

One index lives in each process and is brought up to date (the changed rows
re-keyed, or rebuilt whole after deletions) when the registry changes:
``Organisation`` saves and deletes bump a generation row (``models.
RegistryGeneration``) that lookups read (one primary-key query, at most once
a second per process: ``GENERATION_SECONDS``); bulk
writes that bypass signals are caught by a fingerprint (count, highest id,
latest change) checked every ``FINGERPRINT_SECONDS``, or by calling
``registry_changed()``. Identifiers are not indexed here: INN and OGRN have
database indexes, and other identifiers are matched in ``matching``.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import gc
import hashlib
import hmac
import itertools
import logging
import os
import pickle
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Max, Q
from rapidfuzz import fuzz, process

from tocsin.registry.models import Organisation

from . import names

log = logging.getLogger("tocsin.screening")

# A term used by more organisations than this ("центр" in a million-row
# registry) gathers candidates only when no rarer term found any.
GATHER_LIMIT = 5_000
# Enough candidates to rank: once gathered, rarer terms were enough.
POOL_TARGET = 300
# Taken from one term at most (a one-word query of a very common word).
MAX_POOL = 1_500
# Candidates scored with rapidfuzz after ranking by shared rare words.
CANDIDATES = 30
FINGERPRINT_SECONDS = 30.0
# The generation row is read at most this often: an organisation enrolled
# now is screened as protected within a second, and a busy worker saves a
# query per screening.
GENERATION_SECONDS = 1.0
_MIN_DELETION_WORD = 4
# Bumped when NameIndex's layout changes, so an old snapshot is ignored.
SNAPSHOT_FORMAT = 2
# Rows re-keyed in one refresh after which a new snapshot is worth writing.
SNAPSHOT_AFTER = 1000


def deletions(word: str) -> set[str]:
    """The word without one of its letters (and itself): two words within one
    insertion, deletion, substitution or transposition share a member."""
    result = {word}
    if len(word) >= _MIN_DELETION_WORD and not word.isdigit():
        result.update(word[:i] + word[i + 1:] for i in range(len(word)))
    return result


@dataclass(frozen=True)
class Candidate:
    pk: int
    keys: tuple[str, ...]
    rank: float  # rapidfuzz's quick token-set score, for ordering only


class NameIndex:
    """Built whole from the registry, then kept current by ``update`` with the
    rows that changed since (positions stay sorted by primary key: new rows
    always have higher keys). A word an organisation no longer uses keeps
    pointing at it until the next full build -- harmless, because candidates
    are scored on their current keys."""

    def __init__(self, rows: Iterable[tuple[int, str, str]]) -> None:
        self.pks = array("q")
        # Keys joined by newlines: one string per organisation keeps a
        # million-row index within a few hundred megabytes.
        self._keys: list[str] = []
        self._postings: dict[str, array] = {}
        # Tuples, not lists: the garbage collector stops tracking tuples of
        # strings, and a million-row index has a million of them to scan.
        self._similar: dict[str, tuple[str, ...]] = {}
        # Neighbouring words ("svobodni golos"), in alphabetical order so word
        # order does not matter: two words common alone are rare together.
        self._pairs: dict[str, array] = {}
        self.update(rows)

    @staticmethod
    def _keys_for(name: str, name_en: str) -> tuple[str, ...]:
        keys = names.name_keys(name) + (names.name_keys(name_en) if name_en else ())
        return tuple(dict.fromkeys(keys))

    def _post(self, position: int, words: Iterable[str], pairs: Iterable[str]) -> None:
        # Postings stay sorted: appended for new rows, inserted in place for
        # re-keyed ones.
        for word in words:
            postings = self._postings.get(word)
            if postings is None:
                postings = self._postings[word] = array("i")
                for deleted in deletions(word):
                    self._similar[deleted] = (*self._similar.get(deleted, ()), word)
            _insert(postings, position)
        for pair in pairs:
            postings = self._pairs.get(pair)
            if postings is None:
                postings = self._pairs[pair] = array("i")
            _insert(postings, position)

    def update(self, rows: Iterable[tuple[int, str, str]]) -> int:
        """Add new organisations and re-key changed ones; returns how many."""
        changed = 0
        for pk, name, name_en in rows:
            keys = self._keys_for(name, name_en)
            words, pairs = _terms(keys)
            position = bisect.bisect_left(self.pks, pk)
            if position < len(self.pks) and self.pks[position] == pk:
                old_words, old_pairs = _terms(self.keys_of(position))
                self._keys[position] = "\n".join(keys)
                self._post(position, words - old_words, pairs - old_pairs)
            else:
                if position != len(self.pks):
                    raise ValueError("rows must come in primary-key order, new ones last")
                self.pks.append(pk)
                self._keys.append("\n".join(keys))
                self._post(position, words, pairs)
            changed += 1
        return changed

    def __len__(self) -> int:
        return len(self.pks)

    def keys_of(self, position: int) -> tuple[str, ...]:
        return tuple(self._keys[position].split("\n"))

    def _near(self, word: str) -> set[str]:
        found: set[str] = set()
        for deleted in deletions(word):
            found.update(self._similar.get(deleted, ()))
        return found

    def _matching_words(self, word: str) -> set[str]:
        """Indexed words within one typo of ``word``; or, for two words run
        together ("экологическийсовет", "независимыйекрай"), a word within
        one typo of each part."""
        if word.isdigit():
            return {word} if word in self._postings else set()
        found = self._near(word)
        if not found and len(word) >= 7:
            for cut in range(3, len(word) - 2):
                left, right = self._near(word[:cut]), self._near(word[cut:])
                if left and right:
                    found |= left | right
        return found

    def candidates(self, query_keys: tuple[str, ...], limit: int = CANDIDATES) -> list[Candidate]:
        """Up to ``limit`` organisations most like the query, without a scan.

        Candidates are gathered from the rarest terms first -- pairs of
        neighbouring words, then single words, each also within one typo --
        until ``POOL_TARGET`` are found; a term used by more than
        ``GATHER_LIMIT`` organisations only gathers when nothing rarer did.
        The pool is ranked with rapidfuzz (C speed) and the best ``limit``
        are returned for the full, slower scoring."""
        words = {word for key in query_keys for word in key.split()}
        similar = {word: self._matching_words(word) for word in words}
        if all(word.isdigit() for word, matches in similar.items() if matches):
            # Sharing only a number ("51") is no likeness; nothing to rank.
            return []
        groups: list[tuple[int, list[array]]] = []
        for word, matches in similar.items():
            if word.isdigit():
                continue  # numbers count in pairs ("golos 51") and in scoring
            lists = [self._postings[match] for match in matches]
            groups.append((sum(len(postings) for postings in lists), lists))
        ordered = sorted(words)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                lists = [self._pairs[pair] for a in similar[first] for b in similar[second]
                         if (pair := _pair(a, b)) in self._pairs]
                groups.append((sum(len(postings) for postings in lists), lists))
        groups = sorted((group for group in groups if group[0]), key=itemgetter(0))
        pool: set[int] = set()
        for size, lists in groups:
            if len(pool) >= POOL_TARGET or (pool and size > GATHER_LIMIT):
                break
            for postings in lists:
                pool.update(postings[:MAX_POOL])
        if not pool:
            return []
        # Each key of each candidate against each key of the query: a name is
        # as close as its closest spelling.
        texts = {(position, n): key for position in pool
                 for n, key in enumerate(self._keys[position].split("\n"))}
        ranks: dict[int, float] = {}
        # Two quick views: word sets (order and extra words do not matter),
        # and plain edits (a space moved: "Социальныйс оюз").
        for query in query_keys:
            for scorer in (fuzz.token_set_ratio, fuzz.ratio):
                for _text, score, (position, _n) in process.extract(
                        query, texts, scorer=scorer, processor=None, limit=limit * 2):
                    if score > ranks.get(position, -1.0):
                        ranks[position] = score
        best = sorted(ranks.items(), key=itemgetter(1), reverse=True)[:limit]
        return [Candidate(self.pks[position], self.keys_of(position), rank) for position, rank in best]


def _pair(a: str, b: str) -> str:
    return f"{a} {b}" if a <= b else f"{b} {a}"


def _terms(keys: Iterable[str]) -> tuple[set[str], set[str]]:
    words: set[str] = set()
    pairs: set[str] = set()
    for key in keys:
        split = key.split()
        words.update(split)
        pairs.update(_pair(a, b) for a, b in itertools.pairwise(split))
    return words, pairs


def _insert(postings: array, position: int) -> None:
    if not postings or postings[-1] < position:
        postings.append(position)
        return
    at = bisect.bisect_left(postings, position)
    if at == len(postings) or postings[at] != position:
        postings.insert(at, position)


def _rows(since: tuple[object, ...] | None = None) -> Iterable[tuple[int, str, str]]:
    rows = Organisation.objects.order_by("pk")
    if since is not None:
        _count, top, changed = since
        # Strictly later: a bulk insert stamps a million rows with one time,
        # and ">=" would re-key them all at every refresh.
        rows = rows.filter(Q(pk__gt=top or 0) | Q(updated_at__gt=changed)) if changed else rows
    return rows.values_list("pk", "name", "name_en").iterator(chunk_size=20_000)


def _fingerprint() -> tuple[object, ...]:
    """(count, highest id, latest change): any insert, update or delete moves it,
    bulk writes that skip signals included."""
    facts = Organisation.objects.aggregate(count=Count("pk"), top=Max("pk"), changed=Max("updated_at"))
    return (facts["count"], facts["top"], facts["changed"])


class _Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: NameIndex | None = None
        self.generation: int | None = None
        self.fingerprint: tuple[object, ...] | None = None
        self.checked_at = 0.0
        self.generation_read_at = 0.0
        self.build_seconds = 0.0


_holder = _Holder()


def current_generation() -> int:
    from .models import RegistryGeneration
    value = RegistryGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    return value or 0


def registry_changed() -> None:
    """Tell every process's index the registry changed (after bulk writes that
    bypass model signals). Joins the caller's transaction if there is one."""
    from .models import RegistryGeneration
    with transaction.atomic():
        if not RegistryGeneration.objects.filter(pk=1).update(value=F("value") + 1):
            RegistryGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


def _snapshot_path() -> Path:
    return Path(settings.DATA_DIR) / "screening-index.pickle"


def _snapshot_key() -> bytes:
    return hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=32,
                           person=b"tocsin-nameindex").digest()


def _save_snapshot(index: NameIndex, fingerprint: tuple[object, ...]) -> None:
    """Written for the next process (another gunicorn worker, a restart): it
    loads this in seconds and catches up with ``update`` instead of building
    a million keys again. Unpickling runs code a planted file chooses, so the
    file carries a MAC under a key derived from the server's secret and is
    unpickled only when it verifies: write access to DATA_DIR alone (a backup
    restored by someone else, a shared volume) is not enough to run code."""
    path = _snapshot_path()
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    body = pickle.dumps((SNAPSHOT_FORMAT, fingerprint, index), protocol=pickle.HIGHEST_PROTOCOL)
    mac = hmac.new(_snapshot_key(), body, hashlib.sha256).digest()
    with open(temporary, "wb") as handle:
        handle.write(mac)
        handle.write(body)
    os.replace(temporary, path)


def _load_snapshot() -> tuple[NameIndex, tuple[object, ...]] | None:
    try:
        data = _snapshot_path().read_bytes()
    except OSError:
        return None
    mac, body = data[:32], data[32:]
    if not hmac.compare_digest(mac, hmac.new(_snapshot_key(), body, hashlib.sha256).digest()):
        log.warning("screening index snapshot failed its MAC check; building from the registry")
        return None
    try:
        form, fingerprint, index = pickle.loads(body)  # noqa: S301 -- authenticated above
    except (EOFError, pickle.UnpicklingError, ValueError, AttributeError):
        return None
    if form != SNAPSHOT_FORMAT or not isinstance(index, NameIndex):
        return None
    return index, fingerprint


@contextlib.contextmanager
def _builders_lock() -> Iterator[None]:
    """One process at a time builds from scratch: gunicorn's workers start
    together, and the second had better load the first one's snapshot than
    build the same million keys beside it."""
    path = Path(settings.DATA_DIR) / "screening-index.lock"
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _refresh(holder: _Holder, generation: int) -> None:
    if holder.index is None:
        with _builders_lock():
            _catch_up(holder, generation)
    else:
        _catch_up(holder, generation)


def _catch_up(holder: _Holder, generation: int) -> None:
    """Bring the holder's index up to the registry: load a snapshot or build
    when there is none, then apply what changed since; rebuild whole only
    when rows were deleted (the count fell behind)."""
    started = time.perf_counter()
    fingerprint = _fingerprint()
    if holder.index is None:
        loaded = _load_snapshot()
        if loaded is not None:
            holder.index, holder.fingerprint = loaded
    added = 0
    if holder.index is not None and holder.fingerprint is not None:
        added = holder.index.update(_rows(since=holder.fingerprint))
        new_rows = fingerprint[0] - holder.fingerprint[0]  # type: ignore[operator]
        if new_rows > added or len(holder.index) != fingerprint[0]:
            holder.index = None  # rows were deleted: start again
    if holder.index is None or holder.fingerprint is None:
        holder.index = NameIndex(_rows())
        added = SNAPSHOT_AFTER
    if added >= SNAPSHOT_AFTER:
        with contextlib.suppress(OSError):
            _save_snapshot(holder.index, fingerprint)
    # The index lives until the next rebuild: keep the collector from walking
    # it on every full collection (a pause of a second at a million rows).
    gc.freeze()
    holder.build_seconds = time.perf_counter() - started
    holder.generation, holder.fingerprint = generation, fingerprint
    holder.checked_at = time.monotonic()


def get_index() -> NameIndex:
    """The current index, brought up to date first if the registry changed."""
    holder = _holder
    now = time.monotonic()
    if holder.generation is not None and now - holder.generation_read_at < GENERATION_SECONDS:
        generation: int = holder.generation
    else:
        generation = current_generation()
        holder.generation_read_at = now
    stale = holder.index is None or generation != holder.generation
    if not stale and now - holder.checked_at > FINGERPRINT_SECONDS:
        holder.checked_at = now
        stale = _fingerprint() != holder.fingerprint
    if stale:
        with holder.lock:
            _refresh(holder, generation)
    if holder.index is None:  # _refresh always leaves one
        raise RuntimeError("the name index could not be built")
    return holder.index


def warm_worker() -> None:
    """For gunicorn's ``post_worker_init``: have the index before the first
    screening. A worker must still start when the database is not ready
    (migrations pending): the first screening then builds it."""
    try:
        seconds = warm()
    except DatabaseError:
        log.warning("screening index not built at start-up; the first screening will build it")
    else:
        log.info("screening index ready in %.1f s", seconds)


def warm() -> float:
    """Build or load the index now (a worker's start-up) rather than at its
    first screening; returns the seconds the last refresh took."""
    get_index()
    return _holder.build_seconds


def forget(*, snapshot: bool = False) -> None:
    """Drop this process's index (tests and benches that rebuild the registry)."""
    _holder.index = None
    _holder.generation = None
    _holder.fingerprint = None
    _holder.generation_read_at = 0.0
    if snapshot:
        with contextlib.suppress(OSError):
            _snapshot_path().unlink()
