"""Which evidence files we accept, judged by their content, never their name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.utils.translation import gettext as _

from .uploads import EncryptedUpload


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
