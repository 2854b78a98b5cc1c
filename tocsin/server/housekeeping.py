"""Background work the worker does on every pass."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

# An upload older than this belongs to a request that died mid-way.
STALE_UPLOAD_SECONDS = 3600


def purge_expired_sessions(now: dt.datetime | None = None) -> int:
    """Expired sessions still hold a responder's sealed private key; remove them
    promptly instead of waiting for someone to run clearsessions."""
    cutoff = timezone.now() if now is None else now
    deleted, _ = Session.objects.filter(expire_date__lt=cutoff).delete()
    return deleted


def purge_stale_uploads(now: float | None = None) -> int:
    """Remove encrypted upload files left behind by requests that died; they
    belong to no report and nobody holds their key any more."""
    folder = Path(settings.UPLOAD_TEMP_DIR)
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - STALE_UPLOAD_SECONDS
    removed = 0
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def run_once(now: dt.datetime | None = None) -> None:
    moment = timezone.now() if now is None else now
    purge_expired_sessions(moment)
    purge_stale_uploads(moment.timestamp())
