"""`tocsin audit verify`: an intact chain passes; the first broken link is named."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tocsin.audit import log
from tocsin.audit.models import Entry, Head

pytestmark = pytest.mark.django_db


def audit_verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def chain(rita) -> list[Entry]:
    """A log of ten entries: a responder created, then nine actions."""
    with transaction.atomic():
        for n in range(9):
            log.record("case.opened", actor=rita if n % 2 == 0 else None, target=f"TX-AAAA-{n:04d}",
                       evidence=f"{n:032x}", note="проверка")
    entries = list(Entry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 11))
    assert entries[3].actor == rita  # so that clearing it is an edit
    return entries


def broken_at(seq: int) -> str:
    return rf"^audit log broken at entry {seq}: "


def forge(seq: int, prev_hash: str, *, valid: bool) -> Entry:
    """An entry written straight into the table by someone who knows how hashes are made."""
    at = timezone.now()
    digest = (log._digest(seq, at.isoformat(), None, "case.opened", "TX-FORG-ED00", {}, prev_hash)
              if valid else "f" * 64)
    return Entry.objects.create(seq=seq, at=at, action="case.opened", target="TX-FORG-ED00",
                                detail={}, prev_hash=prev_hash, hash=digest)


def test_it_passes_an_intact_log(chain):
    assert audit_verify() == "audit log intact\n"


def test_it_passes_an_empty_log(db):
    assert audit_verify() == "audit log intact\n"


def test_it_passes_a_log_written_by_real_requests(rita, logged_in, report):
    _, reference = report()
    client = logged_in(rita)
    client.get(f"/staff/cases/{reference}/")
    client.post(f"/staff/cases/{reference}/messages/", {"body": "We are on it."})
    assert Entry.objects.count() >= 5
    assert audit_verify() == "audit log intact\n"


@pytest.mark.parametrize("change", [
    {"action": "case.closed"},
    {"target": "TX-ZZZZ-ZZZZ"},
    {"detail": {"evidence": "0" * 32}},
    {"actor": None},
    {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
    {"prev_hash": "0" * 64},
    {"hash": "0" * 64},
])
def test_it_names_an_edited_entry(chain, change):
    Entry.objects.filter(seq=4).update(**change)
    with pytest.raises(CommandError, match=broken_at(4)):
        audit_verify()


def test_it_names_the_first_of_several_edits(chain):
    Entry.objects.filter(seq__in=[3, 7]).update(target="TX-ZZZZ-ZZZZ")
    with pytest.raises(CommandError, match=broken_at(3)):
        audit_verify()


def test_it_names_an_edit_of_the_newest_entry(chain):
    Entry.objects.filter(seq=10).update(target="TX-ZZZZ-ZZZZ")
    with pytest.raises(CommandError, match=broken_at(10)):
        audit_verify()


def test_it_names_an_edit_with_a_recomputed_hash_at_the_next_entry(chain):
    entry = Entry.objects.get(seq=4)
    entry.target = "TX-ZZZZ-ZZZZ"
    entry.hash = log._digest(entry.seq, entry.at.isoformat(), entry.actor_id, entry.action,
                             entry.target, entry.detail, entry.prev_hash)
    entry.save()
    with pytest.raises(CommandError, match=broken_at(5) + "does not follow"):
        audit_verify()


def test_it_names_a_forged_entry_inserted_in_the_middle(chain):
    # Make room at 6, as a forger must, since sequence numbers are unique.
    for seq in range(10, 5, -1):
        Entry.objects.filter(seq=seq).update(seq=F("seq") + 1)
    forge(6, chain[4].hash, valid=False)
    with pytest.raises(CommandError, match=broken_at(6)):
        audit_verify()


def test_it_names_the_link_after_a_well_forged_entry_in_the_middle(chain):
    for seq in range(10, 5, -1):
        Entry.objects.filter(seq=seq).update(seq=F("seq") + 1)
    forge(6, chain[4].hash, valid=True)
    with pytest.raises(CommandError, match=broken_at(7)):
        audit_verify()


def test_it_names_a_forged_entry_appended_after_the_newest(chain):
    forge(11, chain[-1].hash, valid=True)
    with pytest.raises(CommandError, match=broken_at(11) + "it was added after the newest entry"):
        audit_verify()


def test_it_names_a_newest_entry_replaced_by_a_forgery(chain):
    Entry.objects.filter(seq=10).delete()
    forge(10, chain[8].hash, valid=True)
    with pytest.raises(CommandError, match=broken_at(10)):
        audit_verify()


def test_it_names_a_deleted_middle_entry(chain):
    Entry.objects.filter(seq=5).delete()
    with pytest.raises(CommandError, match=broken_at(5) + "entry 5 is missing"):
        audit_verify()


def test_it_names_a_deleted_first_entry(chain):
    Entry.objects.filter(seq=1).delete()
    with pytest.raises(CommandError, match=broken_at(1)):
        audit_verify()


def test_it_names_a_deleted_last_entry(chain):
    Entry.objects.filter(seq=10).delete()
    with pytest.raises(CommandError, match=broken_at(10) + "entries after 9 were deleted"):
        audit_verify()


def test_it_names_a_deleted_tail(chain):
    Entry.objects.filter(seq__gte=8).delete()
    with pytest.raises(CommandError, match=broken_at(8)):
        audit_verify()


def test_it_notices_that_every_entry_was_deleted(chain):
    Entry.objects.all().delete()
    with pytest.raises(CommandError, match=broken_at(1)):
        audit_verify()


def test_it_notices_a_deleted_head(chain):
    Head.objects.all().delete()
    with pytest.raises(CommandError, match=broken_at(10)):
        audit_verify()


def test_it_accepts_entries_appended_after_a_check(chain, rita):
    audit_verify()
    with transaction.atomic():
        log.record("login", actor=rita, target="rita")
    assert audit_verify() == "audit log intact\n"


def test_it_needs_the_verb(db):
    with pytest.raises(CommandError):
        call_command("audit")
