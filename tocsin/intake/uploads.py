"""Evidence arrives encrypted on disk from its first byte.

Django would spool large uploads to a plaintext temporary file; a server
seized mid-upload would then hold the evidence in the clear (SecureDrop's
secure_tempfile solves the same problem). This handler instead encrypts each
file as it streams in, with a fresh file key held only in memory, and hashes
the original bytes on the way. When the report is stored, the file is moved
into the evidence folder unchanged and its file key is sealed inside the
case's encrypted metadata, so a file is encrypted exactly once.
"""

from __future__ import annotations

import hashlib
import html
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import ImmutableList, MultiValueDict

from tocsin.crypto import boxes

# Enough to recognise any type on the allow-list by its magic bytes.
HEAD_BYTES = 8192


class EncryptedUpload(UploadedFile):
    """An uploaded file known only by its ciphertext on disk and what we
    measured while it streamed: size, SHA-256 and the first bytes."""

    def __init__(self, *, name: str, content_type: str, public_id: str, file_key: bytes,
                 path: Path, size: int, sha256: str, head: bytes, too_large: bool,
                 path_like_name: bool) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.public_id = public_id
        self.file_key = file_key
        self.path = path
        self.sha256 = sha256
        self.head = head
        self.too_large = too_large
        self.path_like_name = path_like_name

    def move_to(self, destination: Path) -> None:
        os.replace(self.path, destination)
        self.path = destination

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        # Django closes uploads when the request ends; a file not moved into
        # the evidence store by then belongs to a report that was refused.
        if self.path.parent == Path(settings.UPLOAD_TEMP_DIR):
            self.discard()

    def open(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("evidence is read through tocsin.crypto.boxes.decrypt_stream")


class EncryptingUploadHandler(FileUploadHandler):
    path_like_name = False  # set by PathAwareMultiPartParser before new_file()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        Path(settings.UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
        self.public_id = secrets.token_hex(16)
        self.file_key = boxes.new_report_key()
        self.encryptor = boxes.StreamEncryptor(self.file_key, bound_to=self.public_id)
        fd, name = tempfile.mkstemp(dir=settings.UPLOAD_TEMP_DIR, suffix=".upload")
        self.out = os.fdopen(fd, "wb")
        self.temp_path = Path(name)
        self.out.write(self.encryptor.header)
        self.sha = hashlib.sha256()
        self.head = b""
        self.size = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size > settings.MAX_FILE_BYTES:
            # Keep reading (the client is still sending) but stop storing.
            self.too_large = True
            return None
        if len(self.head) < HEAD_BYTES:
            self.head += raw_data[: HEAD_BYTES - len(self.head)]
        self.sha.update(raw_data)
        self.out.write(self.encryptor.push(raw_data))
        return None

    def file_complete(self, file_size: int) -> EncryptedUpload:
        self.out.write(self.encryptor.finish())
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        del self.encryptor
        upload = EncryptedUpload(
            name=self.file_name or "", content_type=self.content_type or "",
            public_id=self.public_id, file_key=self.file_key, path=self.temp_path,
            size=self.size, sha256=self.sha.hexdigest(), head=self.head,
            too_large=self.too_large, path_like_name=self.path_like_name,
        )
        self.path_like_name = False  # the flag belongs to this file, not the next
        return upload

    def upload_interrupted(self) -> None:
        self.path_like_name = False
        if getattr(self, "out", None) is not None:
            self.out.close()
            self.temp_path.unlink(missing_ok=True)


class _ClosingDelimiterWatch:
    """Passes the body through and notes whether the closing delimiter
    (``--boundary--``) went by. Django's parser takes a body that simply stops
    for a complete one, so a report cut off in transit would be stored with
    half its narrative or without the file that was still arriving."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._delimiter = b"--" + boundary + b"--"
        self._tail = b""
        self.seen = False

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if data and not self.seen:
            window = self._tail + data
            self.seen = self._delimiter in window
            self._tail = window[-(len(self._delimiter) - 1) :]
        return data


class PathAwareMultiPartParser(MultiPartParser):
    """Django reduces ``../../x.pdf`` to ``x.pdf`` silently; we want to tell the
    reporter instead. The original name is never used as a path either way.

    It also refuses a body that ends before its closing delimiter, and on any
    failure removes every file it encrypted so far, including the one that was
    arriving when the failure happened (Django closes only finished ones)."""

    # MultiPartParser's own attributes, which this subclass reads.
    _boundary: bytes
    _content_length: int
    _upload_handlers: list[Any]
    _files: MultiValueDict

    def __init__(self, META: Any, input_data: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(META, input_data, *args, **kwargs)
        self._watch = _ClosingDelimiterWatch(input_data, self._boundary)
        self._input_data = self._watch

    def parse(self) -> Any:
        try:
            result = super().parse()
            if self._content_length and not self._watch.seen:
                raise MultiPartParserError("the body ended before its closing boundary")
        except BaseException:
            for handler in self._upload_handlers:
                handler.upload_interrupted()
            files: Any = getattr(self, "_files", None) or MultiValueDict()
            for _name, uploads in files.lists():
                for upload in uploads:
                    upload.close()
            raise
        return result

    def sanitize_file_name(self, file_name: str) -> str | None:
        clean = super().sanitize_file_name(file_name)
        raw = html.unescape(file_name)
        if clean != raw or raw.startswith(".") or ":" in raw:
            for handler in self._upload_handlers:
                handler.path_like_name = True
            return clean or "unnamed"
        return clean


def parse_file_upload(request: HttpRequest, META: Any, post_data: Any) -> Any:
    """Replacement for ``HttpRequest.parse_file_upload`` using the parser above."""
    request.upload_handlers = ImmutableList(request.upload_handlers, warning="uploads parsed")
    return PathAwareMultiPartParser(META, post_data, request.upload_handlers, request.encoding).parse()
