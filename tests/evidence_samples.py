"""Real evidence files of each kind, made in the test: a voice note and a video by Debian's
ffmpeg, a JPEG with EXIF and GPS by Pillow, a WhatsApp and an Instagram export, a zip bomb, an
e-mail and saved pages."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

WHATSAPP_TXT = (
    "12/03/2026 14:02 - Les messages et les appels sont chiffrés de bout en bout.\n"
    "12/03/2026 14:02 - Max: t'es vraiment nulle, tout le monde se moque de toi\n"
    "12/03/2026 14:03 - Léa: arrête stp\n"
    "12/03/2026 14:05 - Max: je vais te retrouver à la sortie du collège et tu vas le regretter\n"
    "12/03/2026 14:06 - Max: IMG-20260312-WA0001.jpg (fichier joint)\n"
)
EML = (b"From: Max <max@example.org>\r\nTo: lea@example.org\r\n"
       b"Subject: =?utf-8?q?Tu_vas_le_regretter?=\r\nDate: Thu, 12 Mar 2026 14:02:00 +0100\r\n"
       b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
       b"Content-Transfer-Encoding: 8bit\r\n\r\n"
       + "Je sais où tu habites. Je vais te retrouver.\r\n".encode())
HTML_PAGE = ("<!DOCTYPE html><html><head><title>Profil moqueur</title>"
             "<script>fetch('http://127.0.0.1:9/leak')</script><style>p{color:red}</style>"
             "</head><body><h1>Léa la nulle</h1><p>Tout le monde la déteste</p>"
             "<img src='http://127.0.0.1:9/x.png'></body></html>").encode()


def _ffmpeg(*args: str, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"out{suffix}"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", *args, str(out)],
                       check=True, timeout=60)
        return out.read_bytes()


def voice_note(seconds: int = 2) -> bytes:
    """An Opus voice note in Ogg, as WhatsApp writes them."""
    return _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=300:duration={seconds}",
                   "-c:a", "libopus", "-b:a", "24k", "-metadata", "title=secret-tag",
                   "-f", "ogg", suffix=".opus")


def phone_video() -> bytes:
    """An MP4 with a creation time and a location tag, as phones write them."""
    return _ffmpeg("-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
                   "-f", "lavfi", "-i", "sine=duration=2", "-shortest", "-c:v", "libx264",
                   "-preset", "ultrafast", "-c:a", "aac",
                   "-metadata", "creation_time=2026-03-12T14:02:00Z",
                   "-metadata", "location=+48.8566+002.3522/", suffix=".mp4")


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Apple", "iPhone 13"
    exif.get_ifd(0x8769)[0x9003] = "2026:03:12 14:02:33"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (48.0, 51.0, 23.76), "E", (2.0, 21.0, 7.92)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def whatsapp_zip() -> bytes:
    return _zip({"Discussion WhatsApp avec Max.txt": WHATSAPP_TXT.encode(),
                 "IMG-20260312-WA0001.jpg": jpeg_with_gps()})


def instagram_zip() -> bytes:
    mojibake = "t'es moche, personne ne t'aime 😡".encode().decode("latin-1")
    thread = {"participants": [{"name": "max"}, {"name": "lea"}], "messages": [
        {"sender_name": "max", "timestamp_ms": 1773320580000, "content": mojibake},
        {"sender_name": "lea", "timestamp_ms": 1773320520000,
         "content": "arrête".encode().decode("latin-1")}]}
    return _zip({"your_instagram_activity/messages/inbox/max_123/message_1.json":
                 json.dumps(thread).encode(), "personal_information/info.json": b"{}"})


def zip_bomb() -> bytes:
    return _zip({"a.txt": b"0" * (64 * 1024 * 1024)})


def mhtml_page() -> bytes:
    return (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.org/\r\n"
            b"Subject: Profil moqueur\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/related; type=\"text/html\"; boundary=\"B\"\r\n\r\n"
            b"--B\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            b"\r\n<html><body><p>L=C3=A9a la nulle</p></body></html>\r\n--B--\r\n")
