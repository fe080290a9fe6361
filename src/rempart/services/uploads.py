"""Checking uploaded files before anything is stored: size limits and real type from content.

Each upload is copied into an anonymous temporary file while counting its bytes, then sniffed.
Nothing reaches the evidence store or the database until every file of the request passed, so a
refused request leaves no trace.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from typing import BinaryIO, cast

from rempart.config import Settings
from rempart.media import sniff
from rempart.services.errors import UploadRejected, UploadTooLarge

CHUNK = 1024 * 1024
MAX_NAME_CHARS = 200


@dataclass
class Upload:
    file_name: str
    declared_type: str | None
    stream: BinaryIO  # positioned at 0


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_report_bytes: int
    max_files: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(settings.max_file_bytes, settings.max_report_bytes)


@dataclass
class CheckedUpload:
    file_name: str
    media_type: str
    size: int
    content: BinaryIO  # a temporary file, rewound


def safe_file_name(name: str, media_type: str) -> str:
    """The base name without folders or control characters, for display only."""
    base = os.path.basename(name.replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    if not base:
        base = f"piece.{sniff.EXTENSIONS[media_type]}"
    return base[-MAX_NAME_CHARS:]


def _copy_limited(upload: Upload, limits: UploadLimits, budget: int, stack: ExitStack
                  ) -> BinaryIO:
    spool = cast(BinaryIO, stack.enter_context(tempfile.TemporaryFile()))  # noqa: SIM115
    size = 0
    while chunk := upload.stream.read(CHUNK):
        size += len(chunk)
        if size > limits.max_file_bytes:
            raise UploadTooLarge(
                f"file too large: {safe_file_name(upload.file_name, sniff.TXT)} "
                f"(at most {limits.max_file_bytes // (1024 * 1024)} MiB per file)")
        if size > budget:
            raise UploadTooLarge(
                f"report too large (at most {limits.max_report_bytes // (1024 * 1024)} MiB "
                "for all files)")
        spool.write(chunk)
    spool.seek(0)
    return spool


def check_uploads(uploads: list[Upload], limits: UploadLimits, stack: ExitStack,
                  already_stored: int = 0) -> list[CheckedUpload]:
    """Copy, measure and sniff every upload; raise UploadRejected at the first bad one."""
    if len(uploads) > limits.max_files:
        raise UploadRejected(f"too many files (at most {limits.max_files} at once)")
    checked: list[CheckedUpload] = []
    budget = limits.max_report_bytes - already_stored
    for upload in uploads:
        content = _copy_limited(upload, limits, budget, stack)
        size = content.seek(0, os.SEEK_END)
        content.seek(0)
        if size == 0:
            raise UploadRejected(f"empty file: {safe_file_name(upload.file_name, sniff.TXT)}")
        try:
            media_type = sniff.detect_media_type(content)
        except sniff.UnsupportedMedia as refused:
            raise UploadRejected(
                f"{safe_file_name(upload.file_name, sniff.TXT)}: {refused}") from None
        content.seek(0)
        budget -= size
        checked.append(CheckedUpload(safe_file_name(upload.file_name, media_type), media_type,
                                     size, content))
    return checked
