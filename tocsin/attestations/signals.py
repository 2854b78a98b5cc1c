"""The hook other apps use to learn that an attestation was checked.

``attestation_checked`` is sent once per alerting check: the first check of
an attestation in a ``checks.ALERT_WINDOW`` (5 minutes) whose signature held
(valid, expired or revoked -- a forged token names no organisation). Later
checks in the window are recorded but alert nobody, and send nothing. It is
sent by the worker (``checks.announce_due``, every 5 seconds), not by the
verifier's request, with keyword arguments:

- ``organisation``: the ``Organisation`` the attestation is for;
- ``attestation``: the ``Attestation``;
- ``verification``: the ``Verification`` row of the check (its
  ``checked_at`` is when the verifier asked);
- ``alert``: always True (kept so a receiver written for the earlier
  contract, which also sent coalesced checks, still reads right).

A receiver that alerts (enrolment: the organisation's contact) writes its
alert in the caller's transaction, with ``tocsin.alerts.outbox.announce`` or
a row of its own. The receivers run in a savepoint inside the transaction
that writes the issuer's alert: if one raises, what the receivers wrote is
rolled back and the error logged, but the issuer is still alerted (and the
verifier was answered long before)."""

from __future__ import annotations

from django.dispatch import Signal

attestation_checked = Signal()
