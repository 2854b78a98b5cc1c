"""Changes to responders and their keys. Each runs in one transaction with its audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from tocsin.audit import log as audit
from tocsin.crypto import boxes, keys

from .models import Membership, ResponderKey, Team, User


@dataclass(frozen=True)
class NewResponder:
    user: User
    recovery_key: str  # shown once, never stored


def _wrap(private_key: bytes, password: str) -> keys.WrappedKey:
    return keys.wrap_with_password(
        private_key, password,
        opslimit=settings.KEY_WRAP_OPSLIMIT, memlimit=settings.KEY_WRAP_MEMLIMIT,
    )


def _store_wrapped(key: ResponderKey, wrapped: keys.WrappedKey) -> None:
    key.wrapped_private_key = wrapped.ciphertext
    key.salt = wrapped.salt
    key.opslimit = wrapped.opslimit
    key.memlimit = wrapped.memlimit


def _check(user: User, team_name: str, password: str) -> None:
    """Nothing else validates these: the database would take an empty or
    over-long username on SQLite, and a team name that is not a slug."""
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        Team._meta.get_field("name").clean(team_name, None)
    except ValidationError as exc:
        errors["team"] = exc.messages
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_responder(
    username: str, password: str, *, team_name: str, role: str = Membership.Role.RESPONDER,
    is_admin: bool = False, acting_user: User | None = None, validate: bool = True,
) -> NewResponder:
    """Create a responder with a fresh key pair in ``team_name`` (created if missing).

    With ``validate``, raises ``ValidationError`` keyed by ``username``, ``team``
    or ``password`` before anything is written."""
    user = User(username=username, is_staff=is_admin, is_superuser=is_admin)
    if validate:
        _check(user, team_name, password)
    user.set_password(password)
    user.save()
    team, _ = Team.objects.get_or_create(name=team_name)
    Membership.objects.create(user=user, team=team, role=role)
    public, private = boxes.new_keypair()
    recovery_key = keys.new_recovery_key()
    key = ResponderKey(
        user=user, public_key=public,
        recovery_wrapped_private_key=keys.wrap_with_recovery_key(private, recovery_key),
    )
    _store_wrapped(key, _wrap(private, password))
    key.save()
    audit.record("responder.created", actor=acting_user, target=username, team=team.name)
    return NewResponder(user, recovery_key)


def unlock_private_key(user: User, password: str) -> bytes | None:
    """The responder's private key, or None if they have none (an administrator
    without a key pair). Raises ``DecryptionError`` on a wrong password."""
    try:
        key = user.responder_key
    except ResponderKey.DoesNotExist:
        return None
    wrapped = keys.WrappedKey(bytes(key.wrapped_private_key), bytes(key.salt), key.opslimit, key.memlimit)
    return keys.unwrap_with_password(wrapped, password)


@transaction.atomic
def change_password(user: User, old_password: str, new_password: str) -> None:
    """Re-wrap the private key under the new password; the recovery key still works."""
    private = unlock_private_key(user, old_password)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    if private is not None:
        key = ResponderKey.objects.select_for_update().get(user=user)
        _store_wrapped(key, _wrap(private, new_password))
        key.save()
    audit.record("responder.password_changed", actor=user, target=user.username)


@transaction.atomic
def recover(user: User, recovery_key: str, new_password: str) -> str:
    """Set a new password using the recovery key and return a fresh recovery key.

    The old recovery key stops working: it has been typed somewhere."""
    key = ResponderKey.objects.select_for_update().get(user=user)
    private = keys.unwrap_with_recovery_key(bytes(key.recovery_wrapped_private_key), recovery_key)
    fresh = keys.new_recovery_key()
    key.recovery_wrapped_private_key = keys.wrap_with_recovery_key(private, fresh)
    _store_wrapped(key, _wrap(private, new_password))
    key.save()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record("responder.recovered", actor=user, target=user.username)
    return fresh
