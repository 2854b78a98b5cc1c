"""Is this lawyer or firm authorised to act for the company? With the screening's name matching.

The list is a few hundred entries at most, so every search scores every
entry; the matcher caches each entry's name keys, so that costs a fraction
of a millisecond per entry.

"Authorised" is said only for a near-certain match of someone currently
authorised. A merely similar name (a missing patronymic, another first name)
is shown as similar, never as authorised: telling a group "yes, he acts for
the company" about the wrong person is the worse mistake, and the page asks
them to compare the registration number on the lawyer's card."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.screening.names import name_score, normalise
from tocsin.server.wording import name_longer_than

from .models import Counsel

NAME_MAX = 300
# Below this a name is not shown at all: unrelated names score up to ~60.
SIMILAR_SCORE = 75.0
# At or above this (and currently authorised) the answer is "authorised":
# the same words up to transliteration, order and a typo or two.
AUTHORISED_SCORE = 90.0
MAX_MATCHES = 10


class BadName(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Match:
    counsel: Counsel
    score: float
    standing: Counsel.Standing

    @property
    def authorised(self) -> bool:
        return self.standing == Counsel.Standing.AUTHORISED and self.score >= AUTHORISED_SCORE


@dataclass(frozen=True)
class Answer:
    name: str
    matches: list[Match]

    @property
    def authorised(self) -> bool:
        return any(match.authorised for match in self.matches)

    @property
    def withdrawn_or_ended(self) -> list[Match]:
        """Near-certain matches whose authorisation was withdrawn or has ended."""
        return [m for m in self.matches if m.score >= AUTHORISED_SCORE
                and m.standing in {Counsel.Standing.WITHDRAWN, Counsel.Standing.EXPIRED}]


def checked_name(raw: str | None) -> str:
    """The name to search for; ``BadName`` says what is wrong with it."""
    name = (raw or "").strip()
    if not name:
        raise BadName(_("Give the name of the lawyer or the firm."))
    if len(name) > NAME_MAX:
        raise BadName(name_longer_than(NAME_MAX))
    if not normalise(name):
        raise BadName(_("The name has no letters to compare."))
    return name


def check(name: str) -> Answer:
    """Everyone on the list (now or before) whose name is like ``name``, best first.

    Counsel whose authorisation has not started yet are left out: the list
    shows what holds today."""
    today = timezone.localdate()
    matches = []
    for counsel in Counsel.objects.filter(authorised_from__lte=today):
        score = max(name_score(name, counsel.name),
                    name_score(name, counsel.name_en) if counsel.name_en else 0.0)
        if score >= SIMILAR_SCORE:
            matches.append(Match(counsel, round(score, 1), counsel.standing(today)))
    # Among equally good matches, the currently authorised first.
    matches.sort(key=lambda m: (-m.score, m.standing != Counsel.Standing.AUTHORISED, m.counsel.name))
    return Answer(name, matches[:MAX_MATCHES])


def authorised_now() -> list[Counsel]:
    today = timezone.localdate()
    return [c for c in Counsel.objects.filter(withdrawn_at__isnull=True, authorised_from__lte=today)
            if c.standing(today) == Counsel.Standing.AUTHORISED]
