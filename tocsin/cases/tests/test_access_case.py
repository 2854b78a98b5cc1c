"""access_case: the only way a view gets a case; "not found" for missing and forbidden alike."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tocsin.cases.access import access_case, visible_cases
from tocsin.conftest import make_responder

pytestmark = pytest.mark.django_db


def test_it_gives_a_responder_of_the_team_the_case(rita, report):
    _, reference = report()
    assert access_case(rita, reference).reference == reference


def test_it_gives_every_responder_of_the_team_the_case(rita, lena, report):
    _, reference = report()
    assert access_case(lena, reference).reference == reference


@pytest.mark.parametrize("who", ["bora", "adam"])
def test_it_answers_not_found_to_a_forbidden_reader(request, rita, report, who):
    _, reference = report()
    with pytest.raises(Http404):
        access_case(request.getfixturevalue(who), reference)


def test_it_answers_not_found_to_an_anonymous_visitor(rita, report):
    _, reference = report()
    with pytest.raises(Http404):
        access_case(AnonymousUser(), reference)


@pytest.mark.parametrize("reference", ["TX-0000-0000", "", "tx-aaaa-bbbb", "%", "TX-%"])
def test_it_answers_not_found_for_a_missing_case(rita, report, reference):
    report()
    with pytest.raises(Http404):
        access_case(rita, reference)


def test_it_says_the_same_for_missing_and_forbidden(rita, bora, report):
    _, reference = report()
    with pytest.raises(Http404) as forbidden:
        access_case(bora, reference)
    with pytest.raises(Http404) as missing:
        access_case(bora, "TX-0000-0000")
    assert str(forbidden.value) == str(missing.value)
    assert type(forbidden.value) is type(missing.value)


def test_it_follows_where_the_key_is_sealed_not_the_team(rita, report):
    # A responder who joins a team later reads only what was sealed to them.
    _, reference = report()
    newcomer = make_responder("nadia", "default")
    with pytest.raises(Http404):
        access_case(newcomer, reference)
    assert not visible_cases(newcomer).exists()
