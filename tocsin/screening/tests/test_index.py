# ruff: noqa: RUF001 -- Cyrillic names and «» quotes are the data here
"""The name index: found without a scan, kept current as the registry changes."""

from __future__ import annotations

import pytest

from tocsin.registry.models import Organisation
from tocsin.screening import index, matching
from tocsin.screening.names import name_keys

pytestmark = pytest.mark.django_db


def organisation(ref: str, name: str, **extra: str) -> Organisation:
    return Organisation.objects.create(ref=ref, kind="ngo", country="RU", name=name, **extra)


def refs(query: str) -> list[str]:
    return [m.organisation.ref for m in matching.match(query, {}).matches]


def test_it_finds_a_word_with_one_typo_through_its_deletion_neighbours():
    built = index.NameIndex([(1, "Фонд «Нужна помощь»", ""), (2, "АНО «Сибирский щит»", "")])
    found = built.candidates(name_keys("Nuzhna pomoshh"))
    assert found[0].pk == 1
    assert built.candidates(name_keys("Нужан помощь"))[0].pk == 1  # transposed letters
    assert built.candidates(name_keys("Нужна помошь"))[0].pk == 1  # щ written ш


def test_it_returns_a_bounded_number_of_candidates():
    built = index.NameIndex([(n, f"АНО «Правовой центр {n}»", "") for n in range(1, 500)])
    assert len(built.candidates(name_keys("Правовой центр"), limit=60)) == 60
    assert built.candidates(name_keys("Правовой центр 321"))[0].pk == 321


def test_it_sees_a_new_organisation_a_rename_and_a_deletion():
    organisation("A1", "АНО «Правовая инициатива»")
    assert refs("Pravovaya initsiativa") == ["A1"]
    created = organisation("A2", "БФ «Ночлежка»")
    assert refs("Nochlezhka") == ["A2"]
    created.name = "БФ «Нужна помощь»"
    created.save()
    assert refs("Nuzhna pomoshch") == ["A2"]
    assert refs("Nochlezhka") == []
    created.delete()
    assert refs("Nuzhna pomoshch") == []


def test_it_sees_bulk_writes_that_skip_signals_by_the_fingerprint(monkeypatch):
    organisation("A1", "АНО «Правовая инициатива»")
    assert refs("Ночлежка") == []
    Organisation.objects.bulk_create([Organisation(ref="A2", kind="ngo", country="RU",
                                                   name="БФ «Ночлежка»")])
    monkeypatch.setattr(index, "FINGERPRINT_SECONDS", 0.0)
    assert refs("Ночлежка") == ["A2"]


def test_a_new_process_loads_the_snapshot_instead_of_building(monkeypatch):
    organisation("A1", "АНО «Правовая инициатива»")
    index.warm()
    index.forget()  # a fresh process: no index in memory, the snapshot on disk

    class NoBuilding(index.NameIndex):
        def __init__(self, rows):
            raise AssertionError("built instead of loaded")

    monkeypatch.setattr(index, "NameIndex", NoBuilding)
    organisation("A2", "БФ «Ночлежка»")  # and it catches up with what changed since
    assert refs("Nochlezhka") == ["A2"]
    assert refs("Pravovaya initsiativa") == ["A1"]


def test_a_snapshot_changed_on_disk_is_never_unpickled():
    organisation("A1", "АНО «Правовая инициатива»")
    index.warm()
    path = index._snapshot_path()
    assert index._load_snapshot() is not None
    planted = bytearray(path.read_bytes())
    planted[-1] ^= 1
    path.write_bytes(bytes(planted))
    assert index._load_snapshot() is None
    path.write_bytes(b"\0" * 32 + b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")  # a pickle that runs a command
    assert index._load_snapshot() is None


def test_it_finds_two_words_run_together():
    built = index.NameIndex([(1, "РОО «Независимый край 124»", ""), (2, "АНО «Правовой центр 124»", "")])
    assert built.candidates(name_keys("Независимыйкрай 124"))[0].pk == 1
    assert built.candidates(name_keys("Независимыйекрай 124"))[0].pk == 1


def test_it_gathers_nothing_on_a_shared_number_alone():
    built = index.NameIndex([(1, "РОО «Независимый край 124»", "")])
    assert built.candidates(name_keys("ООО «ФармаМаркет 124»")) == []


def test_it_reads_the_generation_at_most_once_per_interval(monkeypatch):
    import time
    monkeypatch.setattr(index, "GENERATION_SECONDS", 2.0)
    organisation("A1", "АНО «Правовая инициатива»")
    assert refs("Ночлежка") == []
    organisation("A2", "БФ «Ночлежка»")
    assert refs("Ночлежка") == []  # within the interval: the index is not re-checked
    time.sleep(2.1)
    assert refs("Ночлежка") == ["A2"]
