import contextlib
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rempart.media import sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 50
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 50
GIF = b"GIF89a" + b"\x00" * 50
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 50


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 64


def detect(data: bytes) -> str:
    return sniff.detect_media_type(io.BytesIO(data))


@pytest.mark.parametrize("data, expected", [
    (PNG, sniff.PNG), (JPEG, sniff.JPEG), (WEBP, sniff.WEBP), (GIF, sniff.GIF), (PDF, sniff.PDF),
    (ftyp(b"heic", b"mif1", b"heic"), sniff.HEIC), (ftyp(b"mif1", b"heic"), sniff.HEIC),
    (ftyp(b"isom", b"isom", b"iso2", b"mp41"), sniff.MP4), (ftyp(b"mp42", b"isom"), sniff.MP4),
    (ftyp(b"qt  ", b"qt  "), sniff.MOV),
    ("Salut, voici la conversation 😢\n".encode(), sniff.TXT),
    (b"OggS\x00\x02" + b"\x00" * 60, sniff.OGG), (ftyp(b"M4A ", b"M4A ", b"isom"), sniff.M4A),
    (b"\xff\xf1\x50\x80" + b"\x00" * 60, sniff.AAC), (b"ID3\x04\x00" + b"\x00" * 60, sniff.MP3),
    (b"\xff\xfb\x90\x64" + b"\x00" * 60, sniff.MP3),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 50, sniff.WAV),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 50, sniff.WEBM),
    (b"\x1a\x45\xdf\xa3\xa3\x42\x82\x88matroska" + b"\x00" * 50, sniff.MKV),
    (b"PK\x03\x04\x14\x00" + b"\x00" * 60, sniff.ZIP),
    (b"From: Max <max@example.org>\r\nTo: lea@example.org\r\nSubject: t'es nulle\r\n\r\nbody",
     sniff.EML),
    (b"Return-Path: <x@example.org>\nReceived: from mx\nFrom: x@example.org\n\n\xe9t\xe9",
     sniff.EML),
    (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.org/\r\n"
     b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\"\r\n\r\n",
     sniff.MHTML),
    (b"<!DOCTYPE html><html><script>alert(1)</script>", sniff.HTML),
    (b"\n<html lang=fr><body>caf\xe9</body></html>", sniff.HTML),
    (b"\xef\xbb\xbf  <svg onload=alert(1)>", sniff.OPAQUE),
    (b"<?xml version='1.0'?><a/>", sniff.OPAQUE),
    (b"texte\x00cach\xc3\xa9", sniff.OPAQUE), (b"caf\xe9 en latin-1", sniff.OPAQUE),
    (ftyp(b"XXXX", b"YYYY"), sniff.OPAQUE), (ftyp(b"avif", b"avif"), sniff.OPAQUE),
    (b"Rar!\x1a\x07" + b"\x00" * 60, sniff.OPAQUE),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 60, sniff.OPAQUE), (b"<3 je te crois\n", sniff.TXT),
])
def test_it_recognises_allowed_types_from_content(data, expected):
    assert detect(data) == expected


@pytest.mark.parametrize("data, detected", [
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "executable (ELF)"),
    (b"MZ\x90\x00\x03" + b"\x00" * 60, "executable (Windows)"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 60, "executable (Mach-O)"),
    (b"#!/bin/sh\nrm -rf /\n", "script"),
    (b"\x00asm\x01\x00\x00\x00", "webassembly"),
    (b"", "an empty file"),
])
def test_it_refuses_what_runs_and_says_what_it_saw(data, detected):
    with pytest.raises(sniff.UnsupportedMedia) as refused:
        detect(data)
    assert refused.value.detected == detected
    assert str(refused.value) == f"type not allowed: detected {detected}"


def test_a_png_name_does_not_make_an_executable_a_png():
    with pytest.raises(sniff.UnsupportedMedia, match="ELF"):
        detect(b"\x7fELF" + PNG)


def test_it_checks_text_to_the_very_end():
    late_nul = b"a" * (3 * sniff.CHUNK) + b"\x00"
    assert detect(late_nul) == sniff.OPAQUE
    split_char = b"a" * (sniff.HEAD_BYTES - 1) + "é".encode() + b"b" * 10
    assert detect(split_char) == sniff.TXT


@given(st.binary(max_size=2048))
def test_it_never_crashes_and_only_answers_allowed_types(data):
    with contextlib.suppress(sniff.UnsupportedMedia):
        assert detect(data) in sniff.ALLOWED
