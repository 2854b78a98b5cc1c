"""Creating and revoking API tokens: atomic and audited like every change of state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.audit import log as audit
from tocsin.server.wording import name_longer_than

from . import minting
from .models import ApiToken

NAME_MAX = 100  # ApiToken.name.max_length


class Refused(Exception):
    """A request the operator must correct; ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def default_rate() -> int:
    return int(getattr(settings, "API_TOKEN_REQUESTS_PER_MINUTE", 600))


@dataclass(frozen=True)
class Created:
    api_token: ApiToken
    # The token itself: shown to the operator now and never again.
    token: str


def create_token(*, name: str, scope: str, acting_user: Any,
                 requests_per_minute: int | None = None) -> Created:
    name = name.strip()
    if not name:
        raise Refused("name", _("Give the token a name, e.g. the law firm that will hold it."))
    if len(name) > NAME_MAX:
        raise Refused("name", name_longer_than(NAME_MAX))
    if scope not in ApiToken.Scope.values:
        raise Refused("scope", _("Unknown scope “%(scope)s”; the scopes are: %(scopes)s.")
                      % {"scope": scope[:40], "scopes": ", ".join(ApiToken.Scope.values)})
    rate = default_rate() if requests_per_minute is None else requests_per_minute
    if not 1 <= rate <= 1_000_000:
        raise Refused("rate", _("The rate must be from 1 to 1,000,000 requests a minute."))
    # 40 random bits of prefix: a collision is rare but possible, so try again.
    for _attempt in range(5):
        minted = minting.mint()
        try:
            return _store(minted, name=name, scope=scope, rate=rate, acting_user=acting_user)
        except IntegrityError:
            continue
    raise RuntimeError("five prefix collisions in a row: the random source is broken")


@transaction.atomic
def _store(minted: minting.Minted, *, name: str, scope: str, rate: int, acting_user: Any) -> Created:
    api_token = ApiToken.objects.create(
        name=name, scope=scope, prefix=minted.prefix, hash=minted.hash,
        requests_per_minute=rate, created_by=acting_user,
    )
    audit.record("token.created", actor=acting_user, target=f"token:{minted.prefix}",
                 name=name, scope=scope, requests_per_minute=rate)
    return Created(api_token, minted.token)


@transaction.atomic
def revoke_token(prefix: str, *, acting_user: Any, reason: str = "") -> ApiToken:
    """Revoke at once: the next request with it is refused (every request reads
    the token row, nothing caches it)."""
    api_token = ApiToken.objects.select_for_update().filter(prefix=prefix.strip().lower()).first()
    if api_token is None:
        raise Refused("prefix", _("No token has the prefix “%(prefix)s”.") % {"prefix": prefix[:16]})
    if api_token.is_revoked:
        raise Refused("prefix", _("The token %(prefix)s was already revoked.") % {"prefix": api_token.prefix})
    api_token.revoked_at = timezone.now()
    api_token.save(update_fields=["revoked_at"])
    audit.record("token.revoked", actor=acting_user, target=f"token:{api_token.prefix}",
                 name=api_token.name, reason=reason[:500])
    return api_token
