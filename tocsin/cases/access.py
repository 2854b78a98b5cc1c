"""The only way a view gets a case: ``access_case``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tocsin.accounts import keyring
from tocsin.accounts.models import User
from tocsin.crypto import boxes

from .models import Case, CaseKey


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases whose key is sealed to ``user``: reading needs the key, so listing does too."""
    return Case.objects.filter(keys__user=user).order_by("-received_at")


def access_case(user: User | AnonymousUser, reference: str) -> Case:
    """The case ``reference`` if ``user`` may open it; ``Http404`` when it is missing
    and when it is forbidden alike, so references cannot be probed."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    case = visible_cases(user).filter(reference=reference).select_related("team").first()
    if case is None:
        raise Http404
    return case


def case_key(request: HttpRequest, case: Case) -> bytes:
    """Unseal the case key with the private key held in this session.

    A session without a key (logged in before a key existed, or its key
    cookie lost) cannot read: ``Http404`` as for any case it cannot open."""
    private = keyring.private_key(request)
    if not isinstance(request.user, User):
        raise Http404
    sealed = CaseKey.objects.filter(case=case, user=request.user).values_list("sealed_key", flat=True).first()
    if private is None or sealed is None:
        raise Http404
    try:
        return boxes.unseal(bytes(sealed), private)
    except boxes.DecryptionError:
        raise Http404 from None
