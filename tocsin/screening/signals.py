"""Registry saves and deletes bump the generation every name index watches."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from tocsin.registry.models import Organisation
from tocsin.registry.signals import organisations_imported


def _changed(sender: Any, **kwargs: Any) -> None:
    from .index import registry_changed
    registry_changed()


def connect() -> None:
    # The registry import writes with plain SQL (no post_save): it sends this after each batch.
    organisations_imported.connect(_changed, dispatch_uid="screening.registry_imported")
    post_save.connect(_changed, sender=Organisation, dispatch_uid="screening.registry_saved")
    post_delete.connect(_changed, sender=Organisation, dispatch_uid="screening.registry_deleted")
