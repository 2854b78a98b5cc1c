"""The proof vault: purchase receipts and certificates of authenticity an
enrolled organisation keeps with Tocsin before any raid, so that proof of
lawful software survives the seizure of its own computers.

Files are hashed and encrypted as they stream in; each item has a chain of
custody (stored, downloaded -- by whom and when, with the SHA-256 of the
bytes). The organisation reaches its vault with its enrolment receipt;
reviewers reach it from the staff pages, and every reviewer's download is
also written to the audit log. An organisation's own downloads are kept in
the custody chain only, not the audit log, for the reason reporters' reads
are not (``tocsin.intake.followup``): they would trace the group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.audit import log as audit
from tocsin.intake import evidence
from tocsin.intake.uploads import EncryptedUpload
from tocsin.registry.models import Organisation

from . import sealing
from .models import VaultCustody, VaultItem


@dataclass(frozen=True)
class Entry:
    at: Any
    action: str
    action_label: str
    actor: str
    sha256: str


@dataclass(frozen=True)
class OpenedItem:
    item: VaultItem
    meta: dict[str, Any]
    custody: list[Entry]


def _custody(item: VaultItem) -> list[Entry]:
    entries = []
    for entry in item.custody.select_related("actor"):
        detail = sealing.open_sealed(bytes(entry.sealed_detail), bound_to=item.public_id)
        entries.append(
            Entry(
                entry.at,
                entry.action,
                str(entry.get_action_display()),
                entry.actor.username if entry.actor else "",
                detail["sha256"],
            )
        )
    return entries


def store(organisation: Organisation, kind: str, upload: EncryptedUpload) -> VaultItem:
    """Keep ``upload`` (already checked by ``forms.VaultForm``) in the organisation's vault."""
    now = timezone.now()
    with evidence.moved_in([upload]) as [meta], transaction.atomic():
        item = VaultItem.objects.create(
            organisation=organisation,
            public_id=upload.public_id,
            kind=kind,
            stored_at=now,
            sealed_meta=sealing.seal(meta, bound_to=upload.public_id),
        )
        VaultCustody.objects.create(
            item=item,
            at=now,
            action=VaultCustody.Action.STORED,
            sealed_detail=sealing.seal({"sha256": meta["sha256"]}, bound_to=upload.public_id),
        )
        audit.record("vault.stored", target=organisation.ref, item=item.public_id)
    return item


def contents(organisation: Organisation) -> list[OpenedItem]:
    """The vault decrypted, newest first, with each item's custody chain."""
    return [
        OpenedItem(
            item, sealing.open_sealed(bytes(item.sealed_meta), bound_to=item.public_id), _custody(item)
        )
        for item in organisation.vault_items.all()
    ]


@transaction.atomic
def open_item(item: VaultItem, *, acting_user: Any) -> dict[str, Any]:
    """The item's metadata (with its file key) for a download, recorded in its
    custody chain; a reviewer's download (``acting_user``) is audited too."""
    meta: dict[str, Any] = sealing.open_sealed(bytes(item.sealed_meta), bound_to=item.public_id)
    action = (
        VaultCustody.Action.DOWNLOADED_BY_REVIEWER
        if acting_user is not None
        else VaultCustody.Action.DOWNLOADED_BY_ORGANISATION
    )
    VaultCustody.objects.create(
        item=item,
        at=timezone.now(),
        action=action,
        actor=acting_user,
        sealed_detail=sealing.seal({"sha256": meta["sha256"]}, bound_to=item.public_id),
    )
    if acting_user is not None:
        audit.record("vault.opened", actor=acting_user, target=item.organisation.ref, item=item.public_id)
    return meta
