"""ZIP members listed and hashed without trusting the archive; WhatsApp exports parsed."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile

import pytest

from rempart.media import archives, chat_export

ANDROID_FR = """12/03/2026 14:00 - Les messages et les appels sont chiffrés de bout en bout.
12/03/2026 14:02 - Léa: t'es vraiment nulle
tout le monde le sait
12/03/2026 14:05 - Moi: arrête
13/03/2026 09:10 - Léa: IMG-20260313-WA0001.jpg (fichier joint)
13/03/2026 09:11 - Léa: <Médias omis>
"""
IOS_EN = """[3/12/26, 2:02:33 PM] Lea: you are a loser
[3/12/26, 2:03:00 PM] Me: stop
[3/13/26, 9:10:00 AM] Lea: <attached: 00000012-PHOTO-2026-03-13-09-10-00.jpg>
"""


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_it_lists_and_hashes_every_member():
    data = _zip({"a/one.txt": b"un", "two.jpg": b"\xff\xd8\xff" + b"x" * 100})
    members = archives.list_members(io.BytesIO(data))
    assert [(m.name, m.size) for m in members] == [("a/one.txt", 2), ("two.jpg", 103)]
    assert members[0].sha256 == hashlib.sha256(b"un").hexdigest()


@pytest.mark.parametrize("name", ["../evil.sh", "/etc/passwd", "a/../../x", "C:\\win.ini",
                                  "..\\up.txt"])
def test_it_refuses_member_names_that_climb_out(name):
    with pytest.raises(archives.UnsafeArchive, match="outside the archive"):
        archives.list_members(io.BytesIO(_zip({name: b"x"})))


def test_it_refuses_a_zip_bomb_before_inflating_it():
    bomb = _zip({"zeros.bin": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(archives.UnsafeArchive, match="zip bomb"):
        archives.list_members(io.BytesIO(bomb))


def test_it_refuses_an_archive_too_large_once_decompressed():
    data = _zip({"a.bin": b"a" * 5000, "b.bin": b"b" * 5000}, zipfile.ZIP_STORED)
    with pytest.raises(archives.UnsafeArchive, match="too large"):
        archives.list_members(io.BytesIO(data), max_total=8000)


def test_it_refuses_too_many_members_and_symbolic_links():
    with pytest.raises(archives.UnsafeArchive, match="more than 3 members"):
        archives.list_members(io.BytesIO(_zip({f"{n}.txt": b"x" for n in range(4)})),
                              max_members=3)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(archives.UnsafeArchive, match="symbolic link"):
        archives.list_members(io.BytesIO(out.getvalue()))


def test_it_refuses_a_member_larger_than_declared():
    data = bytearray(_zip({"a.txt": b"hello world" * 10}, zipfile.ZIP_STORED))
    # Lower the declared size in the central directory: the real bytes are more.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (5).to_bytes(4, "little")
    with pytest.raises(archives.UnsafeArchive):
        archives.list_members(io.BytesIO(bytes(data)))


def test_it_refuses_what_is_not_a_zip():
    with pytest.raises(archives.UnsafeArchive, match="not a readable zip"):
        archives.list_members(io.BytesIO(b"hello"))


def test_an_android_french_export_gives_dated_messages_authors_and_attachments():
    chat = chat_export.parse_text(ANDROID_FR)
    assert chat.authors == ["Léa", "Moi"]
    first, insult, stop, photo, omitted = chat.messages
    assert first.author is None  # the encryption notice
    assert insult.at == "2026-03-12T14:02:00" and insult.author == "Léa"
    assert insult.text == "t'es vraiment nulle\ntout le monde le sait"
    assert stop.text == "arrête"
    assert photo.attachments == ["IMG-20260313-WA0001.jpg"]
    assert omitted.media_omitted


def test_an_ios_english_export_reads_month_first_and_pm_times():
    chat = chat_export.parse_text(IOS_EN)
    assert [m.at for m in chat.messages] == ["2026-03-12T14:02:33", "2026-03-12T14:03:00",
                                             "2026-03-13T09:10:00"]
    assert chat.messages[2].attachments == ["00000012-PHOTO-2026-03-13-09-10-00.jpg"]


def test_a_zip_export_lists_its_media_and_names_the_missing_ones():
    data = _zip({"WhatsApp Chat - Lea/_chat.txt": IOS_EN.encode(),
                 "WhatsApp Chat - Lea/other.jpg": b"\xff\xd8\xff"})
    chat, members = chat_export.parse_zip(data)
    assert len(members) == 2 and len(chat.messages) == 3
    assert chat.missing_attachments == ["00000012-PHOTO-2026-03-13-09-10-00.jpg"]


def test_plain_text_is_not_a_chat_export():
    with pytest.raises(chat_export.NotAChatExport):
        chat_export.parse_text("Bonjour,\nje voulais vous dire que\nrien ne va.\n")
