"""API tokens: how the enforcement desk and its law firms call the screening API.

Only a hash of each token is stored. A token carries 200 random bits, so a
fast hash is enough: nobody can search that space, and a memory-hard hash
here would cost every API request ~0.1 s for nothing. The hash is plain
SHA-256 rather than keyed with the server's secret, so rotating
``TOCSIN_SECRET_KEY`` does not silently invalidate every token the
company's lawyers hold. The prefix is stored in clear so an operator can tell
tokens apart in a list and revoke one by the part that shows in a log line
or a support mail, without anyone having to reveal the secret."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        # The only scope today: the public counsel list needs no token, and
        # the demand register is a staff page behind a login. A new API that
        # needs a token names a new scope here, so a leaked screening token
        # never opens it.
        SCREENING = "screening", _("Screening")

    name = models.CharField(max_length=100, help_text=_("Who holds it, e.g. the law firm's name"))
    scope = models.CharField(max_length=32, choices=Scope.choices)
    # The random part after ``tocsin_``: the lookup key (unique, indexed).
    prefix = models.CharField(max_length=16, unique=True)
    # SHA-256 of the whole token, hex.
    hash = models.CharField(max_length=64)
    requests_per_minute = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Coarse: written at most once a minute, so a busy token does not turn
    # every screening into a database write.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
