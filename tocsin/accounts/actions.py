"""Changes to responders and their keys. Each runs in one transaction with its audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.audit import log as audit
from tocsin.crypto import boxes, keys
from tocsin.crypto.boxes import DecryptionError

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


# What a recovery attempt for an unknown or key-less username is checked
# against, so that it costs the same work as a wrong key for a real responder
# and the answer's timing does not tell which usernames exist.
_DECOY_RECOVERY_CIPHERTEXT = keys.wrap_with_recovery_key(bytes(32), keys.new_recovery_key())


@transaction.atomic
def recover(username: str, recovery_key: str, new_password: str) -> tuple[User, str]:
    """Set a new password using the recovery key; the responder and a fresh recovery key.

    The old recovery key stops working: it has been typed somewhere. Raises
    ``DecryptionError`` alike for an unknown username, a deactivated one, one
    without a key pair, and a wrong recovery key."""
    key = (ResponderKey.objects.select_for_update().select_related("user")
           .filter(user__username=username, user__is_active=True).first())
    ciphertext = bytes(key.recovery_wrapped_private_key) if key else _DECOY_RECOVERY_CIPHERTEXT
    private = keys.unwrap_with_recovery_key(ciphertext, recovery_key)
    if key is None:  # not reached: the decoy opens under no recovery key
        raise DecryptionError("no such responder")
    user = key.user
    fresh = keys.new_recovery_key()
    key.recovery_wrapped_private_key = keys.wrap_with_recovery_key(private, fresh)
    _store_wrapped(key, _wrap(private, new_password))
    key.save()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record("responder.recovered", actor=user, target=user.username)
    return user, fresh


# -- Second factor ---------------------------------------------------------------
# Every account that logs in proves a TOTP code after its password. Devices are
# django-otp's; their secrets sit in the database in the clear, which a seized
# database reveals, but a code alone opens nothing without the password, and
# the password alone opens nothing without the code.

def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def start_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed device this responder is enrolling, created on the first call.

    Showing the page again shows the same secret, so an app that scanned it
    before a reload still gives codes that work."""
    device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False)
              .order_by("pk").first())
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> TOTPDevice | None:
    """Confirm the device being enrolled with a code it produced; None if the
    code is wrong or there is nothing to confirm (the failure is audited).

    Only an account with no confirmed device may enrol: otherwise someone who
    learnt the password could replace the responder's phone with their own."""
    device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False)
              .order_by("pk").first())
    if confirmed_device(user) is not None or device is None or not device.verify_token(code):
        audit.record("otp.failed", actor=user, target=user.username, step="enrolment")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit.record("otp.enrolled", actor=user, target=user.username)
    return device


@transaction.atomic
def check_code(user: User, code: str, *, step: str) -> TOTPDevice | None:
    """The device that accepts ``code`` for ``user``, or None (audited).

    The device row is locked while the code is checked, so two requests racing
    with the same code cannot both pass: django-otp refuses any code at or
    before the time step of the last one accepted."""
    device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
              .order_by("pk").first())
    if device is not None and device.verify_token(code):
        return device
    audit.record("otp.failed", actor=user, target=user.username, step=step)
    return None


def devices_of(user: User) -> list[TOTPDevice]:
    """Every TOTP device of ``user``, confirmed or still being enrolled."""
    return list(TOTPDevice.objects.filter(user=user))


def sessions_of(user: User) -> list[Session]:
    """The unexpired sessions logged in as ``user``. Sessions are not indexed
    by user, so this reads them all: fine for an administrator's command."""
    return [session for session in Session.objects.filter(expire_date__gt=timezone.now())
            if session.get_decoded().get(SESSION_KEY) == str(user.pk)]


@transaction.atomic
def reset_second_factor(user: User, *, acting_user: User | None = None) -> tuple[int, int]:
    """Remove every TOTP device of ``user`` and end their sessions, for a lost
    phone: at the next login they enrol a new one. Returns how many devices
    and sessions went.

    The sessions end too: one already past the password would otherwise be
    let into enrolment without anyone typing the password again."""
    devices, _ = TOTPDevice.objects.filter(user=user).delete()
    sessions, _ = Session.objects.filter(pk__in=[s.pk for s in sessions_of(user)]).delete()
    audit.record("otp.reset", actor=acting_user, target=user.username, devices=devices, sessions=sessions)
    return devices, sessions


# -- Audit of logging in and out ------------------------------------------------
# Only the username, never the client's address or user agent. A failed login
# names the account only if it exists: what was typed into the username box is
# sometimes the password, and the log is append-only.

@transaction.atomic
def record_login(user: User) -> None:
    audit.record("login", actor=user, target=user.username, second_factor="totp")


@transaction.atomic
def record_failed_login(username: str, *, step: str) -> None:
    if User.objects.filter(username=username).exists():
        audit.record("login.failed", target=username, step=step)
    else:
        audit.record("login.failed", step=step, unknown_username=True)


@transaction.atomic
def record_throttling(username: str, exhausted: list[str], *, step: str) -> None:
    """The moment a counter is used up (once per window, so a flood of refused
    attempts does not flood the log)."""
    target = username if User.objects.filter(username=username).exists() else ""
    audit.record("login.throttled", target=target, step=step, by=sorted(exhausted))


@transaction.atomic
def record_logout(user: User) -> None:
    audit.record("logout", actor=user, target=user.username)


@transaction.atomic
def record_reauthentication(user: User) -> None:
    audit.record("reauth", actor=user, target=user.username)
