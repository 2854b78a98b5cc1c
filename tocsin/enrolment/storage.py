"""Moving encrypted uploads into the store, and reading them back decrypted.

Enrolment evidence and vault files live beside report evidence, under the
same layout (``MEDIA_ROOT/<2 hex>/<public id>.enc``); each was encrypted as
it streamed in (``tocsin.intake.uploads``) under its own file key, which is
kept only inside the record's sealed metadata."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from tocsin.crypto import boxes
from tocsin.intake import evidence
from tocsin.intake.actions import evidence_path
from tocsin.intake.uploads import EncryptedUpload


@contextlib.contextmanager
def moved_in(uploads: list[EncryptedUpload]) -> Iterator[list[dict[str, Any]]]:
    """Move ``uploads`` into the store (synced) and yield their metadata; if the
    block raises, remove them again, so nothing is left half-stored."""
    moved: list[Path] = []
    metas = []
    try:
        for upload in uploads:
            kind = evidence.detect(upload)
            target = evidence_path(upload.public_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            upload.move_to(target)
            moved.append(target)
            metas.append(
                {
                    "file_key": upload.file_key.hex(),
                    "name": upload.name,
                    "mime": kind.mime,
                    "size": upload.size,
                    "sha256": upload.sha256,
                }
            )
        for parent in {path.parent for path in moved}:
            fd = os.open(parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        yield metas
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise


class _Decrypted:
    def __init__(self, path: Path, file_key: bytes, *, bound_to: str) -> None:
        self.source = path.open("rb")
        self.file_key, self.bound_to = file_key, bound_to

    def __iter__(self) -> Iterator[bytes]:
        return boxes.decrypt_stream(self.file_key, self.source, bound_to=self.bound_to)

    def close(self) -> None:
        self.source.close()


def download(public_id: str, meta: dict[str, Any]) -> StreamingHttpResponse:
    """The file decrypted as it is sent, always as a download (never rendered
    inline: a document from an adversary may be crafted to attack a browser)."""
    content = _Decrypted(evidence_path(public_id), bytes.fromhex(meta["file_key"]), bound_to=public_id)
    response = StreamingHttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, meta.get("name") or "file")
    response["Content-Length"] = str(meta["size"])
    return response
