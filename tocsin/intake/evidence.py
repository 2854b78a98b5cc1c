"""Evidence files: which we accept, judged by their content, never their name;
where the encrypted store keeps them; and sending one back decrypted.

Report evidence, enrolment evidence and vault files share the store
(``MEDIA_ROOT/<2 characters>/<public id>.enc``), each encrypted under its own
file key, which is kept only inside its record's sealed metadata."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import filetype
from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tocsin.crypto import boxes

from .uploads import EncryptedUpload


def evidence_path(public_id: str) -> Path:
    return Path(settings.MEDIA_ROOT) / public_id[:2] / f"{public_id}.enc"


@contextlib.contextmanager
def moved_in(uploads: Sequence[EncryptedUpload], *,
             keep_on: tuple[type[BaseException], ...] = ()) -> Iterator[list[dict[str, Any]]]:
    """Move ``uploads`` into the store (synced) and yield their metadata (file
    key, name, type, size, SHA-256: for the record's sealed part). If the block
    raises, remove them again, so nothing is left half-stored -- unless it
    raises one of ``keep_on``, after which the caller tries again with the same
    uploads (moving them again is a no-op)."""
    moved: list[Path] = []
    metas = []
    try:
        for upload in uploads:
            kind = detect(upload)
            target = evidence_path(upload.public_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            upload.move_to(target)
            moved.append(target)
            metas.append({"file_key": upload.file_key.hex(), "name": upload.name, "mime": kind.mime,
                          "size": upload.size, "sha256": upload.sha256})
        for parent in {path.parent for path in moved}:
            fd = os.open(parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        yield metas
    except keep_on:
        raise
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise


class DecryptedFile:
    """A stored file decrypted as it is sent. It is opened at once, so a
    missing file fails before the download starts, and closed with the
    response, even when the client goes away before reading any of it."""

    def __init__(self, path: Path, file_key: bytes, *, bound_to: str) -> None:
        self.source = path.open("rb")
        self.file_key, self.bound_to = file_key, bound_to

    def __iter__(self) -> Iterator[bytes]:
        return boxes.decrypt_stream(self.file_key, self.source, bound_to=self.bound_to)

    def close(self) -> None:
        self.source.close()


def download(public_id: str, meta: dict[str, Any], *, fallback_name: str) -> StreamingHttpResponse:
    """The file decrypted as it is sent, always as a download (never rendered
    inline: a document from an adversary may be crafted to attack a browser).
    ``meta`` is the opened sealed metadata: file key, name, size."""
    content = DecryptedFile(evidence_path(public_id), bytes.fromhex(meta["file_key"]), bound_to=public_id)
    # Not FileResponse: given anything but a file it silently drops the attachment header.
    response = StreamingHttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, meta.get("name") or fallback_name)
    response["Content-Length"] = str(meta["size"])
    return response


@dataclass(frozen=True)
class Kind:
    mime: str
    extensions: frozenset[str]


def _kind(mime: str, *extensions: str) -> Kind:
    return Kind(mime, frozenset(extensions))


# Documents, photos, audio and video that a raid produces: scans of warrants and
# protocols, phone photos, recordings. No archives or executables: a responder
# must be able to open what arrives without unpacking anything.
ALLOWED = {
    kind.mime: kind
    for kind in [
        _kind("application/pdf", "pdf"),
        _kind("image/jpeg", "jpg", "jpeg", "jfif"),
        _kind("image/png", "png"),
        _kind("image/gif", "gif"),
        _kind("image/webp", "webp"),
        _kind("image/heic", "heic", "heif"),
        _kind("image/tiff", "tif", "tiff"),
        _kind("video/mp4", "mp4", "m4v"),
        _kind("video/quicktime", "mov"),
        _kind("video/3gpp", "3gp"),
        _kind("video/webm", "webm"),
        _kind("audio/mpeg", "mp3"),
        _kind("audio/mp4", "m4a"),
        _kind("audio/ogg", "ogg", "oga", "opus"),
        _kind("audio/x-wav", "wav"),
        _kind("audio/amr", "amr"),
        _kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        _kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        _kind("application/vnd.oasis.opendocument.text", "odt"),
        _kind("application/vnd.oasis.opendocument.spreadsheet", "ods"),
        _kind("application/msword", "doc"),
        _kind("application/rtf", "rtf"),
        _kind("text/plain", "txt"),
    ]
}
# Content types a browser sends when it does not know; they claim nothing.
UNCLAIMED_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


class RejectedFile(ValueError):
    pass


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end in the middle of a character; anything else is binary.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def detect(upload: EncryptedUpload) -> Kind:
    """The upload's kind from its first bytes; raises ``RejectedFile`` with a
    message for the reporter if it is not allowed or not what it claims."""
    name = upload.name or ""
    if upload.path_like_name:
        raise RejectedFile(_("“%(name)s”: the file name must not contain folders. "
                             "Rename the file and attach it again.") % {"name": name})
    if upload.size == 0:
        raise RejectedFile(_("“%(name)s” is empty.") % {"name": name})
    guess = filetype.guess(upload.head)
    if guess is not None:
        mime = guess.mime
    elif _is_text(upload.head):
        mime = "text/plain"
    else:
        mime = "application/octet-stream"
    kind = ALLOWED.get(mime)
    if kind is None:
        raise RejectedFile(
            _("“%(name)s” is not a type we accept. Send documents (PDF, Word, OpenDocument, "
              "text), photos, audio or video.") % {"name": name}
        )
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    claimed = (upload.content_type or "").split(";")[0].strip().lower()
    if (extension and extension not in kind.extensions) or (
        claimed not in UNCLAIMED_TYPES and claimed != mime
        and not (mime == "text/plain" and claimed.startswith("text/"))
    ):
        raise RejectedFile(
            _("“%(name)s” is named or labelled as one type but its content is another. "
              "Check that you attached the right file.") % {"name": name}
        )
    return kind
