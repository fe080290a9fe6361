"""Detect what a file really is from its bytes (issue 14.2: every kind of evidence).

The name and the declared type are never trusted: a ``.png`` that starts with an ELF header is an
executable. Recognised from content: images, audio (Ogg/Opus, M4A/AAC, MP3, WAV), video (MP4,
MOV, WebM, MKV), PDF, e-mails (EML), saved web pages (HTML, MHTML), ZIP archives (chat exports,
data downloads) and UTF-8 text. Anything else is kept as opaque evidence
(``application/octet-stream``): stored and hashed, never decoded, only ever downloaded.
Executables and scripts stay refused: they are not evidence a counsellor can use, and a file
that runs is the one kind a downloaded copy can harm its reader with.
Text must be valid UTF-8 without NUL bytes to be ``text/plain``; otherwise it is opaque.
The whole stream is read (text can only be checked to the end), in chunks, never all in memory.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

HEAD_BYTES = 4096
CHUNK = 64 * 1024

PNG, JPEG, WEBP, HEIC, GIF, PDF, MP4, MOV, TXT = (
    "image/png", "image/jpeg", "image/webp", "image/heic", "image/gif", "application/pdf",
    "video/mp4", "video/quicktime", "text/plain")
OGG, M4A, AAC, MP3, WAV = "audio/ogg", "audio/mp4", "audio/aac", "audio/mpeg", "audio/wav"
WEBM, MKV = "video/webm", "video/x-matroska"
EML, MHTML, HTML, ZIP = "message/rfc822", "multipart/related", "text/html", "application/zip"
OPAQUE = "application/octet-stream"
AUDIO = frozenset({OGG, M4A, AAC, MP3, WAV})
VIDEO = frozenset({MP4, MOV, WEBM, MKV})
ALLOWED = frozenset({PNG, JPEG, WEBP, HEIC, GIF, PDF, TXT, EML, MHTML, HTML, ZIP, OPAQUE}
                    | AUDIO | VIDEO)
EXTENSIONS = {PNG: "png", JPEG: "jpg", WEBP: "webp", HEIC: "heic", GIF: "gif", PDF: "pdf",
              MP4: "mp4", MOV: "mov", TXT: "txt", OGG: "ogg", M4A: "m4a", AAC: "aac",
              MP3: "mp3", WAV: "wav", WEBM: "webm", MKV: "mkv", EML: "eml", MHTML: "mhtml",
              HTML: "html", ZIP: "zip", OPAQUE: "bin"}

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_MOV_BRANDS = {b"qt  "}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
               b"M4V ", b"3gp4", b"3gp5", b"3g2a", b"mmp4", b"f4v "}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"F4A "}

# Files that run, named in the refusal so that the reporter understands.
_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "executable (ELF)"),
    (b"MZ", "executable (Windows)"),
    (b"\xfe\xed\xfa\xce", "executable (Mach-O)"), (b"\xfe\xed\xfa\xcf", "executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "executable (Mach-O)"), (b"\xcf\xfa\xed\xfe", "executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "executable (Mach-O universal or Java class)"),
    (b"#!", "script"),
    (b"\x00asm", "webassembly"),
)
_HTML_TAGS = (b"<!doctype html", b"<html", b"<head", b"<body")
_OTHER_MARKUP = (b"<?xml", b"<svg", b"<script", b"<iframe", b"<!")
# An e-mail starts with header fields; two known ones in the first lines make it one.
_HEADER = re.compile(rb"^(?:From|To|Cc|Subject|Date|Message-ID|MIME-Version|Received|Return-Path|"
                     rb"Delivered-To|Reply-To|Content-Type|Snapshot-Content-Location|"
                     rb"X-[A-Za-z0-9-]+):", re.IGNORECASE | re.MULTILINE)
_MULTIPART_RELATED = re.compile(rb"^Content-Type:\s*multipart/related",
                                re.IGNORECASE | re.MULTILINE)


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
    return _audio_or_container(head)


def _audio_or_container(head: bytes) -> str | None:
    if head.startswith(b"OggS"):
        return OGG
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska, of which WebM is a profile
        return WEBM if b"webm" in head[:64] else MKV
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 4 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync, layer 00
            return AAC
        if head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 0x3 == 0x1:  # MPEG audio layer III
            return MP3
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    return None


def _iso_media_type(head: bytes) -> str | None:
    """ISO base media files (MP4, MOV, HEIF) by the major and compatible brands of ``ftyp``."""
    box_size = int.from_bytes(head[0:4], "big")
    if box_size < 16 or box_size > min(len(head), 1024):
        return None
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, box_size - 3, 4)]
    if brands[0] in _M4A_BRANDS:
        return M4A
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
    return None


def _markup_type(head: bytes) -> str | None:
    """E-mail, MHTML or an HTML page, from the first bytes (in any text encoding)."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    first_block = stripped.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if len(set(m.group(0).lower() for m in _HEADER.finditer(first_block))) >= 2 \
            and _HEADER.match(stripped):
        return MHTML if _MULTIPART_RELATED.search(first_block) else EML
    if any(tag in stripped[:1024].lower() for tag in _HTML_TAGS):
        return HTML
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
    """The media type of the stream's content (``OPAQUE`` when unknown); UnsupportedMedia for
    an empty file, an executable or a script.

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
    markup = _markup_type(head)
    if markup is not None:
        return markup
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_OTHER_MARKUP):
        return OPAQUE  # other markup (SVG, XML): it could run script if rendered, so never is
    if _is_utf8_text(stream, head):
        return TXT
    return OPAQUE
