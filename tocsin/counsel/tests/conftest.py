from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tocsin.counsel import actions
from tocsin.counsel.models import Counsel


@pytest.fixture
def authorise(db: None) -> Callable[..., Counsel]:
    def add(name: str, **fields: Any) -> Counsel:
        defaults: dict[str, Any] = {"kind": "lawyer", "country": "RU",
                                    "authorised_from": timezone.localdate() - datetime.timedelta(days=30)}
        return actions.add_counsel(name=name, acting_user=None, **{**defaults, **fields})

    return add


@pytest.fixture
def the_list(authorise: Callable[..., Counsel]) -> dict[str, Counsel]:
    """Two lawyers and a firm authorised today; one withdrawn, one ended, one not started."""
    today = timezone.localdate()
    withdrawn = authorise("Петров Пётр Петрович", registration_number="77/1234")
    actions.withdraw_authorisation(withdrawn.pk, acting_user=None, reason="valued seized software")
    return {
        "ivanov": authorise("Иванов Иван Иванович", firm="Городисский и партнёры",
                            registration_number="77/5678"),
        "smirnova": authorise("Смирнова Анна Сергеевна", country="KZ",
                              authorised_until=today + datetime.timedelta(days=90)),
        "firm": authorise("ООО «Юридическая фирма Городисский и партнёры»", kind="firm",  # noqa: RUF001
                          name_en="Gorodissky & Partners", registration_number="1027700000000"),
        "petrov": Counsel.objects.get(pk=withdrawn.pk),
        "sidorov": authorise("Сидоров Семён Семёнович", authorised_from=today - datetime.timedelta(days=400),
                             authorised_until=today - datetime.timedelta(days=35)),
        "kuznetsov": authorise("Кузнецов Кирилл Кириллович",
                               authorised_from=today + datetime.timedelta(days=10)),
    }
