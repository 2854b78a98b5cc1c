"""Who may review enrolment, who may vouch, and the only way a staff view gets
an application: ``access_application``.

Reviewers are users holding the Django permission
``enrolment.review_application`` (directly or through a group), and
superusers: reviewing decides who is protected, a narrower duty than
answering reports, so team membership alone does not grant it. Any
responder (a member of any team) may vouch for a group: vouching is what a
trusted partner in the field knows, and the reviewer still decides."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.http import Http404

from tocsin.accounts.models import User

from .models import Application

PERMISSION = "enrolment.review_application"


def is_reviewer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(PERMISSION))


def may_vouch(user: Any) -> bool:
    return bool(
        isinstance(user, User) and user.is_authenticated and user.is_active and user.memberships.exists()
    )


def may_see_applications(user: Any) -> bool:
    return is_reviewer(user) or may_vouch(user)


def reviewers() -> QuerySet[User]:
    """Active users who may review: the people alerted about enrolment."""
    permission = Permission.objects.filter(
        codename="review_application", content_type__app_label="enrolment"
    ).first()
    who = Q(is_superuser=True)
    if permission is not None:
        who |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return User.objects.filter(who, is_active=True).distinct()


def access_application(user: Any, reference: str) -> Application:
    """The application ``reference`` if ``user`` may see it (a reviewer or a
    responder who may vouch); ``Http404`` when missing and forbidden alike."""
    if not may_see_applications(user):
        raise Http404
    application = (
        Application.objects.filter(reference=reference)
        .select_related("organisation", "vouched_by", "decided_by")
        .first()
    )
    if application is None:
        raise Http404
    return application
