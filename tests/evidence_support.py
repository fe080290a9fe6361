"""Test support: evidence bytes on the local filesystem, content-addressed by SHA-256 per case.

A plain ``EvidenceStore`` for the service tests that run on the in-memory unit of work (the
application itself always uses the encrypted vault, ``rempart.evidence.vault``).

Layout: ``<root>/<case_id>/blobs/<sha256>`` holds the bytes, ``<root>/<case_id>/items/<item_id>``
holds the hex digest of that item. Writes go to a temporary file in the same folder, are fsynced
and renamed, so an item is either complete or absent. Every path is checked to stay under the
root (realpath), and ids are restricted to safe characters. Plain bytes: the encrypted vault
replaces this store in ``rempart.bootstrap``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from rempart.evidence.interface import EvidenceIntegrityError, EvidenceNotFound, StoredBlob
from rempart.private_files import fsync_dir

CHUNK = 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FilesystemEvidenceStore:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.root = Path(os.path.realpath(root))

    def _case_dir(self, case_id: str) -> Path:
        if not _SAFE_ID.match(case_id):
            raise ValueError("unsafe case id")
        path = Path(os.path.realpath(self.root / case_id))
        if path.parent != self.root:
            raise ValueError("case folder outside the evidence root")
        return path

    def _item_ref(self, case_id: str, item_id: str) -> Path:
        if not _SAFE_ID.match(item_id):
            raise ValueError("unsafe item id")
        return self._case_dir(case_id) / "items" / item_id

    def put(self, case_id: str, item_id: str, source: BinaryIO) -> StoredBlob:
        case_dir = self._case_dir(case_id)
        blobs, items = case_dir / "blobs", case_dir / "items"
        for folder in (case_dir, blobs, items):
            folder.mkdir(mode=0o700, exist_ok=True)
        digest, size, tmp = self._write_temp(blobs, source)
        try:
            os.replace(tmp, blobs / digest)  # same content, same name: idempotent
            fsync_dir(blobs)
            ref_tmp = self._write_small(items, digest.encode())
            os.replace(ref_tmp, self._item_ref(case_id, item_id))
            fsync_dir(items)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return StoredBlob(item_id=item_id, sha256=digest, size=size)

    @staticmethod
    def _write_temp(folder: Path, source: BinaryIO) -> tuple[str, int, str]:
        hasher, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return hasher.hexdigest(), size, tmp

    @staticmethod
    def _write_small(folder: Path, data: bytes) -> str:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return tmp

    def _blob_path(self, case_id: str, item_id: str) -> tuple[Path, str]:
        ref = self._item_ref(case_id, item_id)
        try:
            digest = ref.read_text("ascii").strip()
        except FileNotFoundError:
            raise EvidenceNotFound(item_id) from None
        if not _SHA256.match(digest):
            raise EvidenceIntegrityError(f"corrupted reference for item {item_id}")
        path = Path(os.path.realpath(ref.parent.parent / "blobs" / digest))
        if not path.is_relative_to(self.root):
            raise EvidenceIntegrityError("blob outside the evidence root")
        return path, digest

    def open(self, case_id: str, item_id: str) -> Iterator[bytes]:
        path, digest = self._blob_path(case_id, item_id)
        # Verify before yielding anything, so that altered bytes are never served.
        hasher = hashlib.sha256()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    hasher.update(chunk)
        except FileNotFoundError:
            raise EvidenceIntegrityError(f"missing bytes for item {item_id}") from None
        if hasher.hexdigest() != digest:
            raise EvidenceIntegrityError(f"item {item_id} does not match its SHA-256")
        return _read_chunks(path)

    def delete_case(self, case_id: str) -> None:
        case_dir = self._case_dir(case_id)
        if case_dir.exists():
            shutil.rmtree(case_dir)
            fsync_dir(self.root)


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


