"""Whether a trusted partner vouched for an organisation's coverage, for the
certificate and /verify/ to say so plainly.

The flag lives with the approved application, not on the organisation: it is
a fact about one decision, and a later application with full evidence
replaces it. The attestations app may put ``vouched_by`` into the signed
payload from here."""

from __future__ import annotations

from typing import Any

from .models import Application


def vouch_of(organisation: Any) -> dict[str, str] | None:
    """``{"vouched_by": username, "vouched_at": ISO date}`` if the organisation's
    latest approved application was vouched for by a partner; None otherwise."""
    latest = (
        Application.objects.filter(organisation=organisation, status=Application.Status.APPROVED)
        .select_related("vouched_by")
        .order_by("-decided_at")
        .first()
    )
    if latest is None or latest.vouched_by is None or latest.vouched_at is None:
        return None
    return {"vouched_by": latest.vouched_by.username, "vouched_at": latest.vouched_at.date().isoformat()}
