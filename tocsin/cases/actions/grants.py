"""Who can open a case: granting re-seals the case key, revoking deletes a sealed copy.

A grant happens inside the granting responder's session, the only place the
case key exists in the clear: unsealed there with their private key, sealed
here to each new reader's public key. The server never holds a key that
opens cases on its own.

Revoking deletes the reader's sealed copy, so they can no longer unseal the
key, and ``access_case`` answers them "not found". It does not re-encrypt the
case under a new key: a reader who kept the key itself (not just access to
Tocsin) while they had it could still open a stolen copy of the database.
Re-keying would mean re-encrypting every file; the threat model already
says data a responder took out is out of our hands."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import ResponderKey, Team, User
from tocsin.audit import log as audit
from tocsin.crypto import boxes

from ..errors import Refused
from ..models import Case, CaseKey
from .triage import _locked


def _can_receive(users: Any) -> list[tuple[User, bytes]]:
    keys = ResponderKey.objects.filter(user__in=users, user__is_active=True).select_related("user")
    return [(key.user, bytes(key.public_key)) for key in keys.order_by("user__username")]


def find_responder(username: str) -> User:
    """The active responder ``username`` who has a key pair, else ``Refused`` naming ``user``.

    An administrator without a key pair cannot be given a case: nothing
    could be sealed to them."""
    user = User.objects.filter(username=username, is_active=True, responder_key__isnull=False).first()
    if user is None:
        raise Refused("user", _("No responder called “%(name)s” can receive cases. Check the username.")
                      % {"name": username[:150]})
    return user


def find_team(name: str) -> Team:
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise Refused("team", _("There is no team called “%(name)s”.") % {"name": name[:64]})
    return team


@transaction.atomic
def grant(case: Case, case_key: bytes, *, user: User | None = None, team: Team | None = None,
          acting_user: Any) -> list[User]:
    """Seal the case key to ``user``, or to every current member of ``team`` with
    a key pair, skipping those who can already open it. Returns the new readers.

    Someone who joins ``team`` later is not given the case: the key is sealed
    only to the people present now, as at intake."""
    if (user is None) == (team is None):
        raise Refused("user", _("Name one responder or one team."))
    # The key must really be this case's: sealing a wrong one would lock the
    # new reader out with nobody noticing.
    try:
        boxes.decrypt_json(case_key, bytes(case.sealed_content), bound_to=case.reference)
    except boxes.DecryptionError:
        raise Refused("user", _("Your session cannot open this case.")) from None
    locked = _locked(case)
    candidates = _can_receive([user] if user is not None else
                              User.objects.filter(memberships__team=team))
    already = set(CaseKey.objects.filter(case=locked).values_list("user_id", flat=True))
    new = [(reader, public) for reader, public in candidates if reader.pk not in already]
    if not new:
        if user is not None:
            raise Refused("user", _("%(name)s can already open this case.") % {"name": user.username})
        assert team is not None  # noqa: S101 - one of the two, checked above; for mypy
        raise Refused("team", _("Every responder of team %(name)s who has a key can already open this "
                                "case.") % {"name": team.name})
    CaseKey.objects.bulk_create(CaseKey(case=locked, user=reader, sealed_key=boxes.seal(case_key, public))
                                for reader, public in new)
    audit.record("case.granted", actor=acting_user, target=locked.reference,
                 readers=[reader.username for reader, _public in new],
                 team=team.name if team is not None else None)
    return [reader for reader, _public in new]


@transaction.atomic
def revoke(case: Case, reader: User, *, acting_user: Any) -> None:
    """Delete ``reader``'s sealed copy of the case key; unassign them if they had it.

    Nobody revokes their own access: the one revoking is still a reader
    afterwards, so a case can never be left without one by a slip of the
    finger at 3 a.m. (another reader can revoke them, if that is wanted)."""
    if reader.pk == getattr(acting_user, "pk", None):
        raise Refused("user", _("You cannot revoke your own access. Another reader of the case can."))
    locked = _locked(case)
    deleted, _by_model = CaseKey.objects.filter(case=locked, user=reader).delete()
    if not deleted:
        raise Refused("user", _("%(name)s cannot open this case.") % {"name": reader.username})
    unassigned = locked.assignee_id == reader.pk
    if unassigned:
        locked.assignee = None
        locked.save(update_fields=["assignee"])
    audit.record("case.revoked", actor=acting_user, target=locked.reference, reader=reader.username,
                 unassigned=unassigned)
    case.refresh_from_db()
