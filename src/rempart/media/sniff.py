"""Detect what a file really is from its bytes, and refuse everything outside the allow list.

The name and the declared type are never trusted: a ``.png`` that starts with an ELF header is an
executable. Only formats a reporter needs for evidence are allowed (screenshots, photos, videos,
PDFs, text exports). Text must be valid UTF-8 without NUL bytes and must not be HTML or a script.
The whole stream is read (text can only be checked to the end), in chunks, never all in memory.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

HEAD_BYTES = 4096
CHUNK = 64 * 1024

PNG, JPEG, WEBP, HEIC, GIF, PDF, MP4, MOV, TXT = (
    "image/png", "image/jpeg", "image/webp", "image/heic", "image/gif", "application/pdf",
    "video/mp4", "video/quicktime", "text/plain")
ALLOWED = frozenset({PNG, JPEG, WEBP, HEIC, GIF, PDF, MP4, MOV, TXT})
EXTENSIONS = {PNG: "png", JPEG: "jpg", WEBP: "webp", HEIC: "heic", GIF: "gif", PDF: "pdf",
              MP4: "mp4", MOV: "mov", TXT: "txt"}

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_MOV_BRANDS = {b"qt  "}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
               b"M4V ", b"M4A ", b"3gp4", b"3gp5", b"3g2a", b"mmp4", b"f4v "}

# Known dangerous or unwanted containers, named in the refusal so that the reporter understands.
_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "executable (ELF)"),
    (b"MZ", "executable (Windows)"),
    (b"\xfe\xed\xfa\xce", "executable (Mach-O)"), (b"\xfe\xed\xfa\xcf", "executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "executable (Mach-O)"), (b"\xcf\xfa\xed\xfe", "executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "executable (Mach-O universal or Java class)"),
    (b"#!", "script"),
    (b"PK\x03\x04", "zip archive"), (b"PK\x05\x06", "zip archive"),
    (b"Rar!", "rar archive"), (b"7z\xbc\xaf\x27\x1c", "7z archive"), (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0", "office document (OLE)"), (b"{\\rtf", "rtf document"),
    (b"\x00asm", "webassembly"),
)
_MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body", b"<head")


class UnsupportedMedia(ValueError):
    """Refused; ``detected`` names what the content looks like (for the reporter's message)."""

    def __init__(self, detected: str) -> None:
        super().__init__(f"type not allowed: detected {detected}")
        self.detected = detected


def _binary_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"%PDF-"):
        return PDF
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_media_type(head)
    return None


def _iso_media_type(head: bytes) -> str | None:
    """ISO base media files (MP4, MOV, HEIF) by the major and compatible brands of ``ftyp``."""
    box_size = int.from_bytes(head[0:4], "big")
    if box_size < 16 or box_size > min(len(head), 1024):
        return None
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, box_size - 3, 4)]
    for kind, known in ((HEIC, _HEIF_BRANDS), (MOV, _MOV_BRANDS), (MP4, _MP4_BRANDS)):
        if brands[0] in known:
            return kind
    for kind, known in ((HEIC, _HEIF_BRANDS), (MP4, _MP4_BRANDS), (MOV, _MOV_BRANDS)):
        if any(brand in known for brand in brands[1:]):
            return kind
    return None


def _refused_name(head: bytes) -> str | None:
    for magic, name in _REFUSED_MAGIC:
        if head.startswith(magic):
            return name
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(tag in lowered for tag in _MARKUP):
        return "html or xml markup"
    return None


def _is_utf8_text(stream: BinaryIO, head: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = head
    try:
        while chunk:
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
            chunk = stream.read(CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_media_type(stream: BinaryIO) -> str:
    """The allowed media type of the stream's content, or raise UnsupportedMedia.

    Reads from the current position to the end; the caller rewinds if it needs the bytes again.
    """
    head = stream.read(HEAD_BYTES)
    if not head:
        raise UnsupportedMedia("an empty file")
    found = _binary_type(head)
    if found is not None:
        return found
    refused = _refused_name(head)
    if refused is not None:
        raise UnsupportedMedia(refused)
    if _is_utf8_text(stream, head):
        return TXT
    raise UnsupportedMedia("an unknown binary format")
