"""audit.record(): an entry appended in the transaction of the change it records."""

import pytest
from django.db import transaction

from tocsin.audit import log
from tocsin.audit.models import Entry, Head


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction(rita):
    before = Entry.objects.count()
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        log.record("case.opened", actor=rita, target="TX-AAAA-BBBB")
    assert Entry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_it_vanishes_with_a_change_that_is_rolled_back(rita):
    head = Head.objects.get()
    before = (Entry.objects.count(), head.seq, head.hash)

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        log.record("case.opened", actor=rita, target="TX-AAAA-BBBB")
        raise Refused
    head = Head.objects.get()
    assert (Entry.objects.count(), head.seq, head.hash) == before
    with transaction.atomic():
        entry = log.record("case.opened", actor=rita, target="TX-AAAA-BBBB")
    assert entry.seq == before[1] + 1
    assert log.verify() is None


@pytest.mark.django_db
def test_it_starts_the_chain_from_the_genesis_hash():
    entry = log.record("report.received", target="TX-AAAA-BBBB", team="default", files=0)
    assert (entry.seq, entry.prev_hash) == (1, log.GENESIS)
    assert entry.actor is None
    assert entry.detail == {"team": "default", "files": 0}
    assert len(entry.hash) == 64 and entry.hash != log.GENESIS


@pytest.mark.django_db
def test_it_links_each_entry_to_the_one_before(rita):
    first = log.record("login", actor=rita, target="rita")
    second = log.record("case.opened", actor=rita, target="TX-AAAA-BBBB")
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    head = Head.objects.get()
    assert (head.seq, head.hash) == (second.seq, second.hash)


@pytest.mark.django_db
def test_it_hashes_what_it_stored(rita):
    entry = log.record("case.opened", actor=rita, target="TX-AAAA-BBBB", note="ünïcödé")
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.hash == log._digest(stored.seq, stored.at.isoformat(), stored.actor_id,
                                      stored.action, stored.target, stored.detail, stored.prev_hash)
    assert log.verify() is None
