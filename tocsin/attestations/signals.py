"""The hook other apps use to learn that an attestation was checked.

``attestation_checked`` is sent once per check whose signature held (valid,
expired or revoked -- a forged token names no organisation), with keyword
arguments:

- ``organisation``: the ``Organisation`` the attestation is for;
- ``attestation``: the ``Attestation``;
- ``verification``: the ``Verification`` row just written;
- ``alert``: True for the first check in a ``checks.ALERT_WINDOW`` (5
  minutes); False for later checks in the same window, which are recorded
  but should not alert again.

A receiver that alerts (enrolment: the organisation's contact) should write
its alert only when ``alert`` is True, with ``tocsin.alerts.outbox.announce``
so it commits or vanishes with the check. When ``alert`` is True the
receivers run in a savepoint inside the check's transaction: if one raises,
what the receivers wrote is rolled back and the error logged, but the check
is still recorded and answered (a verifier never sees an error because of an
alert). When ``alert`` is False a receiver must not write to the database:
those checks are the busy path (a single insert, no transaction) and the
send is not wrapped in a savepoint."""

from __future__ import annotations

from django.dispatch import Signal

attestation_checked = Signal()
