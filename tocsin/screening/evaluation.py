"""Measuring the matching on a labelled set (../shared/data/screening_dev):
shared by ``bench/screening.py`` and the test that holds the targets."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from tocsin.registry.models import Organisation

from . import index, matching


def _dev_set() -> Path:
    """The labelled set: ``TOCSIN_DEV_SET`` if given, else the workplace's
    shared data beside the repository (or at /work/shared, where a clone
    elsewhere still finds it)."""
    if os.environ.get("TOCSIN_DEV_SET"):
        return Path(os.environ["TOCSIN_DEV_SET"])
    beside = Path(__file__).resolve().parents[3] / "shared" / "data" / "screening_dev"
    workplace = Path("/work/shared/data/screening_dev")
    return beside if beside.is_dir() or not workplace.is_dir() else workplace


DEV_SET = _dev_set()


@dataclass(frozen=True)
class Figures:
    queries: int
    recall: float  # registered organisations' queries answered protected or review
    right_organisation: float  # ... with the expected organisation among the matches' first
    false_alarms: float  # unrelated companies not answered clear
    misses: list[tuple[str, str, str]]  # (query, variant, decision) not caught or wrong
    near_misses: dict[str, int]  # decision -> count, for companies sharing one word with a protected one

    def meets_targets(self) -> bool:
        return self.recall >= 0.98 and self.right_organisation >= 0.95 and self.false_alarms <= 0.01


def load_registry(directory: Path = DEV_SET) -> int:
    """Bulk-insert ``registry.csv`` into the registry (an empty test or bench database)."""
    with (directory / "registry.csv").open(encoding="utf-8", newline="") as handle:
        rows = [Organisation(ref=row["id"], kind=row["kind"], name=row["name"],
                             name_en=row["name_en"], country=row["country"], inn=row["inn"],
                             ogrn=row["ogrn"], status=row["status"])
                for row in csv.DictReader(handle)]
    Organisation.objects.bulk_create(rows, batch_size=1000)
    index.registry_changed()
    return len(rows)


def evaluate(directory: Path = DEV_SET) -> Figures:
    refs = dict(Organisation.objects.values_list("pk", "ref"))
    caught = right = expected_total = alarms = unrelated = 0
    near_misses: dict[str, int] = {}
    misses: list[tuple[str, str, str]] = []
    with (directory / "queries.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        result = matching.match(row["query"], {"inn": row["inn"], "ogrn": row["ogrn"]})
        if row["expected"]:
            expected_total += 1
            if result.decision != matching.CLEAR:
                caught += 1
                if result.matches and refs[result.matches[0].organisation.pk] == row["expected"]:
                    right += 1
                else:
                    misses.append((row["query"], row["variant"], "wrong organisation"))
            else:
                misses.append((row["query"], row["variant"], result.decision))
        elif row["variant"] == "near_miss":
            near_misses[result.decision] = near_misses.get(result.decision, 0) + 1
        elif row["variant"] == "unrelated_company":
            unrelated += 1
            if result.decision != matching.CLEAR:
                alarms += 1
                misses.append((row["query"], row["variant"], result.decision))
    return Figures(len(rows), caught / max(expected_total, 1), right / max(expected_total, 1),
                   alarms / max(unrelated, 1), misses, near_misses)
