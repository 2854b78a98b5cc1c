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


# -- Anchors: a copy of the head kept elsewhere shows a rewrite of the whole chain.


def audit_anchor() -> str:
    out = io.StringIO()
    call_command("audit", "anchor", stdout=out)
    return out.getvalue().strip()


def rewrite_from(seq: int) -> None:
    """What an intruder with the database and the hashing rule can do: change
    entry ``seq`` and recompute every hash after it, and the head."""
    prev = log.GENESIS if seq == 1 else Entry.objects.get(seq=seq - 1).hash
    for entry in Entry.objects.filter(seq__gte=seq).order_by("seq"):
        if entry.seq == seq:
            entry.target = "TX-REWR-ITTN"
        entry.prev_hash = prev
        entry.hash = log._digest(entry.seq, entry.at.isoformat(), entry.actor_id, entry.action,
                                 entry.target, entry.detail, prev)
        entry.save()
        prev = entry.hash
    Head.objects.filter(pk=1).update(hash=prev)


def test_anchor_prints_the_newest_entry(chain):
    assert audit_anchor() == f"10:{chain[-1].hash}"


def test_anchor_refuses_an_empty_log(db):
    with pytest.raises(CommandError, match="empty"):
        call_command("audit", "anchor", stdout=io.StringIO())


def test_a_kept_anchor_passes_while_the_log_grows(chain):
    kept = audit_anchor()
    with transaction.atomic():
        log.record("case.closed", target="TX-AAAA-0001")
    out = io.StringIO()
    call_command("audit", "verify", "--anchor", kept, stdout=out)
    assert out.getvalue() == "audit log intact; it holds every anchor given\n"


def test_a_rewrite_of_the_whole_chain_passes_alone_but_not_against_an_anchor(chain):
    kept = audit_anchor()
    rewrite_from(4)
    assert audit_verify() == "audit log intact\n"  # undetectable from inside
    with pytest.raises(CommandError, match=broken_at(10) + "its hash differs from the anchor"):
        call_command("audit", "verify", "--anchor", kept, stdout=io.StringIO())


def test_an_anchor_past_the_end_means_entries_were_cut_off(chain):
    kept = audit_anchor()
    Entry.objects.filter(seq__gte=9).delete()
    Head.objects.filter(pk=1).update(seq=8, hash=Entry.objects.get(seq=8).hash)
    assert audit_verify() == "audit log intact\n"  # a truncation with the head moved back
    with pytest.raises(CommandError, match=broken_at(10) + "the anchor kept elsewhere names an entry"):
        call_command("audit", "verify", "--anchor", kept, stdout=io.StringIO())


@pytest.mark.parametrize("bad", ["", "10", "0:" + "a" * 64, "x:" + "a" * 64, "10:" + "a" * 63,
                                 "10:" + "g" * 64, "10:" + "A" * 64])
def test_a_malformed_anchor_is_refused_by_name(chain, bad):
    with pytest.raises(CommandError, match=r"^--anchor: .* is not an anchor"):
        call_command("audit", "verify", "--anchor", bad, stdout=io.StringIO())


def test_anchor_takes_no_anchor(chain):
    with pytest.raises(CommandError, match="--anchor goes with verify"):
        call_command("audit", "anchor", "--anchor", f"1:{chain[0].hash}", stdout=io.StringIO())
