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
])
def test_it_recognises_allowed_types_from_content(data, expected):
    assert detect(data) == expected


@pytest.mark.parametrize("data, detected", [
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "executable (ELF)"),
    (b"MZ\x90\x00\x03" + b"\x00" * 60, "executable (Windows)"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 60, "executable (Mach-O)"),
    (b"#!/bin/sh\nrm -rf /\n", "script"),
    (b"PK\x03\x04\x14\x00" + b"\x00" * 60, "zip archive"),
    (b"<!DOCTYPE html><html><script>alert(1)</script>", "html or xml markup"),
    (b"\xef\xbb\xbf  <svg onload=alert(1)>", "html or xml markup"),
    (b"texte\x00cach\xc3\xa9", "an unknown binary format"),
    (b"caf\xe9 en latin-1", "an unknown binary format"),
    (ftyp(b"XXXX", b"YYYY"), "an unknown binary format"),
    (ftyp(b"avif", b"avif"), "an unknown binary format"),  # AVIF is not HEIC
    (b"", "an empty file"),
])
def test_it_refuses_everything_else_and_says_what_it_saw(data, detected):
    with pytest.raises(sniff.UnsupportedMedia) as refused:
        detect(data)
    assert refused.value.detected == detected
    assert str(refused.value) == f"type not allowed: detected {detected}"


def test_a_png_name_does_not_make_an_executable_a_png():
    with pytest.raises(sniff.UnsupportedMedia, match="ELF"):
        detect(b"\x7fELF" + PNG)


def test_it_checks_text_to_the_very_end():
    late_nul = b"a" * (3 * sniff.CHUNK) + b"\x00"
    with pytest.raises(sniff.UnsupportedMedia):
        detect(late_nul)
    split_char = b"a" * (sniff.HEAD_BYTES - 1) + "é".encode() + b"b" * 10
    assert detect(split_char) == sniff.TXT


@given(st.binary(max_size=2048))
def test_it_never_crashes_and_only_answers_allowed_types(data):
    with contextlib.suppress(sniff.UnsupportedMedia):
        assert detect(data) in sniff.ALLOWED
