"""POST /staff/cases/<ref>/labels/: short free tags, validated."""

from __future__ import annotations

import pytest

from tocsin.audit.models import Entry
from tocsin.cases.models import Case
from tocsin.cases.tests.conftest import act

pytestmark = pytest.mark.django_db


def labels_of(reference: str) -> list[str]:
    return Case.objects.get(reference=reference).labels


@pytest.mark.parametrize(("typed", "stored"), [
    ("lawyer-needed, press", ["lawyer-needed", "press"]),
    ("  Press ,press,, PRESS ", ["press"]),
    ("нужен адвокат, tax_2026", ["нужен адвокат", "tax_2026"]),
    ("big   raid", ["big raid"]),
    ("", []),
])
def test_it_saves_the_labels_tidied(rita, logged_in, report, typed, stored):
    _, reference = report()
    client = logged_in(rita)
    assert act(client, reference, "labels", {"labels": typed}).status_code == 302
    assert labels_of(reference) == stored
    if stored:
        page = client.get(f"/staff/cases/{reference}/").content.decode()
        assert f'<span class="label">{stored[0]}</span>' in page


def test_it_logs_the_change(rita, logged_in, report):
    _, reference = report()
    act(logged_in(rita), reference, "labels", {"labels": "press"})
    entry = Entry.objects.get(action="case.labelled")
    assert (entry.actor, entry.detail) == (rita, {"from": [], "to": ["press"]})


@pytest.mark.parametrize(("typed", "problem"), [
    ("-leading", "“-leading” is not a label"),
    ("a" * 33, "is not a label"),
    ("<b>bold</b>", "“&lt;b&gt;bold&lt;/b&gt;” is not a label"),
    ("semi;colon", "is not a label"),
    ("bell\x07", "control characters"),
    (", ".join(f"l{i}" for i in range(11)), "Use at most 10 labels."),
    ("x" * 401, "at most 400 characters"),
])
def test_it_refuses_bad_labels_naming_the_field(rita, logged_in, report, typed, problem):
    _, reference = report()
    client = logged_in(rita)
    act(client, reference, "labels", {"labels": "press"})
    response = act(client, reference, "labels", {"labels": typed})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_labels-errors"' in content
    assert "Labels:" in content and problem in content
    assert labels_of(reference) == ["press"]
