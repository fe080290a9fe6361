"""vPDQ frame hashes (one frame per second) and MD5 of videos, through the reference ``vpdq``.

``vpdq`` decodes from a file path (its ffmpeg bindings open the file themselves), so evidence
held encrypted in the vault is decrypted into a private temporary directory (0700, file 0600),
hashed, and removed whatever happens: ``hash_video_chunks`` takes the chunk iterator that the
vault's ``open()`` yields.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import vpdq

from rempart.evidence.interface import EvidenceStore

SECONDS_PER_HASH = 1.0
CHUNK = 1024 * 1024


class UnreadableVideo(ValueError):
    """The file could not be decoded as a video."""


@dataclass(frozen=True)
class VideoFrameHash:
    frame_number: int
    timestamp: float
    pdq: str
    quality: int


@dataclass(frozen=True)
class VideoHashes:
    md5: str
    frames: list[VideoFrameHash]


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)  # StopNCII's video_md5 signal, not a security use
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def vpdq_frames(path: Path, seconds_per_hash: float = SECONDS_PER_HASH) -> list[VideoFrameHash]:
    try:
        features = vpdq.computeHash(str(path), seconds_per_hash=seconds_per_hash, thread_count=1)
    except Exception as exc:  # vpdq raises a bare Exception when ffmpeg cannot open the file
        raise UnreadableVideo(f"unreadable video: {exc}") from None
    if not features:
        raise UnreadableVideo("unreadable video: no frame decoded")
    return [VideoFrameHash(int(f.frame_number), float(f.timestamp), str(f.hex),
                           int(f.quality)) for f in features]


def hash_video(path: Path | str) -> VideoHashes:
    """MD5 of the file and vPDQ hashes of one frame per second."""
    path = Path(path)
    return VideoHashes(file_md5(path), vpdq_frames(path))


@contextmanager
def private_copy(chunks: Iterable[bytes], suffix: str = ".video") -> Iterator[Path]:
    """Write chunks to a 0600 file in a fresh 0700 directory; remove both on exit."""
    directory = tempfile.mkdtemp(prefix="rempart-video-")  # mkdtemp creates it 0700
    try:
        path = Path(directory) / f"media{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def hash_video_chunks(chunks: Iterable[bytes]) -> VideoHashes:
    """Hash a video given as decrypted chunks (the evidence vault's ``open()``)."""
    with private_copy(chunks) as path:
        return hash_video(path)


def hash_evidence_video(store: EvidenceStore, case_id: str, item_id: str) -> VideoHashes:
    """Hash a video held in the evidence store (decrypted only into the private temp file)."""
    return hash_video_chunks(store.open(case_id, item_id))
