"""List and hash the members of a ZIP archive (chat exports, data downloads) without trusting it.

Nothing is extracted to disk: each member is streamed once through SHA-256, with the declared
and the real sizes checked as it goes. Refused (``UnsafeArchive``): member names that climb out
of the archive (absolute, ``..``, drive letters), symbolic links, more than ``max_members``
members, more than ``max_total`` bytes once decompressed, a member that inflates more than
``max_ratio`` times its compressed size (zip bombs), a member whose real size differs from the
one declared, nested archives beyond listing (they are hashed as opaque members, never opened).
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

CHUNK = 64 * 1024
MAX_MEMBERS = 10_000
MAX_TOTAL = 4 * 1024**3  # decompressed bytes of the whole archive
MAX_RATIO = 200  # decompressed / compressed, per member of more than 1 MiB


class UnsafeArchive(ValueError):
    """The archive is refused; the reason names no member content."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    compressed_size: int
    sha256: str | None  # None for an encrypted member (listed, never opened)
    encrypted: bool = False


def safe_name(name: str) -> str:
    """The member's name if it stays inside the archive; UnsafeArchive otherwise."""
    unified = name.replace("\\", "/")
    path = PurePosixPath(unified)
    if (not unified or unified.startswith("/") or ".." in path.parts
            or (len(unified) > 1 and unified[1] == ":") or "\x00" in unified):
        raise UnsafeArchive(f"member name outside the archive: {name[:80]!r}")
    return unified


def list_members(source: IO[bytes], *, max_members: int = MAX_MEMBERS,
                 max_total: int = MAX_TOTAL, max_ratio: int = MAX_RATIO) -> list[Member]:
    """Every file member of the ZIP with its size and SHA-256, or UnsafeArchive."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeArchive(f"not a readable zip archive ({type(exc).__name__})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise UnsafeArchive(f"more than {max_members} members")
        if sum(info.file_size for info in infos) > max_total:
            raise UnsafeArchive("too large once decompressed")
        members, total = [], 0
        for info in infos:
            name = safe_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeArchive(f"symbolic link in the archive: {name[:80]!r}")
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                members.append(Member(name, info.file_size, info.compress_size, None, True))
                continue
            if (info.file_size > 1024 * 1024
                    and info.file_size > max_ratio * max(1, info.compress_size)):
                raise UnsafeArchive(f"member inflates too much (zip bomb): {name[:80]!r}")
            digest, size = hashlib.sha256(), 0
            try:
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > info.file_size or total > max_total:
                            raise UnsafeArchive(f"member larger than declared: {name[:80]!r}")
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise UnsafeArchive(f"unreadable member {name[:80]!r} "
                                    f"({type(exc).__name__})") from None
            if size != info.file_size:
                raise UnsafeArchive(f"member size differs from the declared one: {name[:80]!r}")
            members.append(Member(name, size, info.compress_size, digest.hexdigest()))
    return members


def read_member(source: IO[bytes], name: str, limit: int) -> bytes:
    """One member's bytes (after ``list_members`` accepted the archive), at most ``limit``."""
    with zipfile.ZipFile(source) as archive, archive.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise UnsafeArchive(f"member too large to read: {name[:80]!r}")
    return data
