"""An organisation to attest, and coverage that has not ended yet.

The 2010 rule set's coverage ended on 2012-01-01; tests run with the
operator's extension (``COVERAGE_UNTIL``) as a deployment would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tocsin.attestations import actions
from tocsin.attestations.models import Attestation
from tocsin.registry.models import Organisation

COVERAGE_UNTIL = "2030-12-31"


@pytest.fixture(autouse=True)
def coverage(settings: Any) -> None:
    settings.COVERAGE_UNTIL = COVERAGE_UNTIL


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        ref="ORG-1", kind=Organisation.Kind.NGO, name="Байкальская экологическая волна",
        name_en="Baikal Environmental Wave", country="RU", inn="3808017374", ogrn="1023801003313",
        status=Organisation.Status.ENROLLED, public_fields=["name_en", "inn"],
    )


@pytest.fixture
def issue(organisation: Organisation, adam: Any) -> Callable[..., Attestation]:
    def make(**kwargs: Any) -> Attestation:
        kwargs.setdefault("acting_user", adam)
        return actions.issue_attestation(kwargs.pop("organisation", organisation), **kwargs)

    return make
