"""Who sees which demand: ``access_demand`` is the only way a view gets one.

Members of a demand's team (its local counsel and responders) and members of
the headquarters team see it; nobody else does -- administrators included,
unless they are in one of those teams. A demand someone may not see is
"not found", like a missing one, so references cannot be probed."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts.models import Team, User

from .models import Demand


def is_headquarters(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and user.is_active and \
        user.memberships.filter(team__name=Team.HEADQUARTERS).exists()


def teams_of(user: User | AnonymousUser) -> QuerySet[Team]:
    """The teams ``user`` may record a demand for: every team for headquarters, else their own."""
    if not isinstance(user, User) or not user.is_active:
        return Team.objects.none()
    if is_headquarters(user):
        return Team.objects.order_by("name")
    return Team.objects.filter(memberships__user=user).order_by("name")


def visible_demands(user: User | AnonymousUser) -> QuerySet[Demand]:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return Demand.objects.none()
    if is_headquarters(user):
        return Demand.objects.all()
    return Demand.objects.filter(team__memberships__user=user)


def access_demand(user: User | AnonymousUser, reference: str) -> Demand:
    demand = visible_demands(user).filter(reference=reference).select_related("team").first()
    if demand is None:
        raise Http404
    return demand
