"""``TokenAuth``: the bearer-token check in front of an API that needs one.

Every request reads the token's row by its prefix (a unique index: one
query), so a revoked token is refused from the very next request; there is
no cache to go stale. Rate limits are counted in the cache, keyed by the
token's id -- never by the token itself, which must not reach the cache or
a log. With the default in-process cache each app server counts on its own,
so N servers allow up to N times the rate; set ``REDIS_URL`` to share the
count. Counts run in fixed one-minute windows (django-ratelimit's), so a
burst straddling a window's end can pass twice the rate once; that is
the price of one cache increment per request."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import HttpBearer

from . import minting
from .models import ApiToken

# How stale ``last_used_at`` may be: it is for spotting unused tokens, not
# for accounting, so one write a minute per token is plenty.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenThrottled(HttpError):
    def __init__(self, seconds_left: int) -> None:
        super().__init__(429, _("Too many requests with this token. Try again in %(seconds)d "
                                "seconds.") % {"seconds": seconds_left})
        self.seconds_left = seconds_left


def register_handlers(api: NinjaAPI) -> None:
    """Answer ``TokenThrottled`` with a ``Retry-After`` header, which ninja's
    default handler for HTTP errors does not set. Call once on the project's API."""

    def throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, {"detail": str(exc)}, status=429)
        response["Retry-After"] = str(getattr(exc, "seconds_left", 60))
        return response

    api.add_exception_handler(TokenThrottled, throttled)


class TokenAuth(HttpBearer):
    """Accept ``Authorization: Bearer tocsin_…`` with a live token of ``scope``.

    Unknown, malformed or revoked: 401. Another scope: 403. Over the token's
    requests per minute: 429. On success ``request.auth`` is the ``ApiToken``."""

    def __init__(self, scope: str) -> None:
        if scope not in ApiToken.Scope.values:
            raise ValueError(f"unknown token scope {scope!r}")
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        # Not HttpBearer's: at DEBUG it logs the whole header, token included,
        # when the scheme is not "Bearer".
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        prefix = minting.prefix_of(token)
        if prefix is None:
            return None
        api_token = ApiToken.objects.filter(prefix=prefix).first()
        # A missing row still costs a hash and a comparison, so a probe does
        # not learn from the timing whether a prefix exists.
        stored = api_token.hash if api_token is not None else "0" * 64
        if not minting.matches(token, stored) or api_token is None or api_token.is_revoked:
            return None
        if api_token.scope != self.scope:
            raise HttpError(403, _("This token is not for this API; it has the scope “%(scope)s”.")
                            % {"scope": api_token.scope})
        _throttle(request, api_token)
        _touch(api_token)
        return api_token


def _throttle(request: HttpRequest, api_token: ApiToken) -> None:
    usage = get_usage(request, group="api-token", key=lambda _group, _request: str(api_token.pk),
                      rate=f"{api_token.requests_per_minute}/m", increment=True)
    # A cache that cannot count makes django-ratelimit limit (it fails
    # closed); None means the operator turned rate limits off (RATELIMIT_ENABLE).
    if usage is not None and usage["should_limit"]:
        raise TokenThrottled(max(int(usage["time_left"]), 1))


def _touch(api_token: ApiToken) -> None:
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE, so two servers crossing the minute write once.
        ApiToken.objects.filter(pk=api_token.pk, last_used_at=api_token.last_used_at).update(last_used_at=now)
        api_token.last_used_at = now
