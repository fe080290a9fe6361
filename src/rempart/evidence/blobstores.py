"""Where encrypted blobs live: the local filesystem or S3-compatible object storage.

Blobs are opaque ciphertext named ``<case_id>/<item_id>``. A write is staged (``begin``) and only
becomes visible on ``commit``: a temporary file renamed into place, or a multipart upload
completed. Until then a reader sees nothing, so a crash never exposes half a blob.

``publish`` splits ``commit`` for batches: the blob's bytes are durable and its name visible when
it returns, and the step it returns makes the name itself survive a crash (the folder fsync on a
filesystem; nothing left on S3). Blobs in one folder return equal steps, so a batch of uploads
runs each distinct step once, just before anything that refers to the blobs commits.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rempart.private_files import fsync_dir

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}/[A-Za-z0-9_-]{1,100}$")
_SAFE_PREFIX = re.compile(r"^[A-Za-z0-9_-]{1,100}/$")
READ_CHUNK = 1024 * 1024


class BlobNotFound(KeyError):
    """No committed blob under that name."""


# Makes the names of published blobs durable; equal steps do the same work (hashable).
NameSync = Callable[[], None]


class PendingBlob(Protocol):
    def write(self, data: bytes | memoryview) -> None:
        """Append ``data``; it is copied or written before this returns (callers reuse it)."""
        ...

    def publish(self) -> NameSync:
        """Make the blob's bytes durable and visible under its name; return the step that makes
        the name survive a crash too. Nothing may refer to the blob before that step ran."""
        ...

    def commit(self) -> None:
        """Make the blob durable and visible under its name (``publish`` and its step)."""
        ...

    def abort(self) -> None: ...


class BlobStore(Protocol):
    def begin(self, name: str) -> PendingBlob: ...

    def read(self, name: str) -> Iterator[bytes]: ...

    def exists(self, name: str) -> bool: ...

    def delete_prefix(self, prefix: str) -> None: ...

    def committed_before(self, before: float) -> Iterator[str]:
        """Names of committed blobs last written before ``before`` (a Unix time)."""
        ...

    def delete(self, name: str) -> None: ...

    def sweep_incoming(self, older_than_seconds: float = 3600) -> int:
        """Remove writes a crash interrupted (temporary files, unfinished multipart uploads)
        older than the grace period; return how many."""
        ...


def _checked_name(name: str) -> str:
    if not _SAFE_NAME.match(name):
        raise ValueError("unsafe blob name")
    return name


def _checked_prefix(prefix: str) -> str:
    if not _SAFE_PREFIX.match(prefix):
        raise ValueError("unsafe blob prefix")
    return prefix


class _PendingFile:
    def __init__(self, target: Path, store: FilesystemBlobStore) -> None:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.target, self.store = target, store
        fd, self.tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        self.out = os.fdopen(fd, "wb")

    def write(self, data: bytes | memoryview) -> None:
        self.out.write(data)

    def publish(self) -> NameSync:
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        os.replace(self.tmp, self.target)
        return _FolderSync(self.store, self.target.parent)

    def commit(self) -> None:
        self.publish()()

    def abort(self) -> None:
        if not self.out.closed:
            self.out.close()
        Path(self.tmp).unlink(missing_ok=True)


@dataclass(frozen=True)
class _FolderSync:
    """Makes every rename into ``folder`` durable, and the folder's own entry in the root."""

    store: FilesystemBlobStore
    folder: Path

    def __call__(self) -> None:
        fsync_dir(self.folder)
        self.store.make_folder_durable(self.folder)


class FilesystemBlobStore:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.root = Path(os.path.realpath(root))
        self._durable_folders: set[Path] = set()

    def make_folder_durable(self, folder: Path) -> None:
        """Fsync the root once per case folder and process, so that a new case folder's entry
        survives a crash too (fsyncing the folder itself does not persist its own name)."""
        if folder not in self._durable_folders:
            fsync_dir(self.root)
            self._durable_folders.add(folder)

    def _path(self, relative: str) -> Path:
        path = Path(os.path.realpath(self.root / relative))
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError("blob path outside the blob root")
        return path

    def begin(self, name: str) -> PendingBlob:
        return _PendingFile(self._path(_checked_name(name)), self)

    def read(self, name: str) -> Iterator[bytes]:
        path = self._path(_checked_name(name))
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            raise BlobNotFound(name) from None
        return _chunks_of(fh)

    def exists(self, name: str) -> bool:
        return self._path(_checked_name(name)).is_file()

    def delete_prefix(self, prefix: str) -> None:
        folder = self._path(_checked_prefix(prefix).rstrip("/"))
        if not folder.is_dir():
            return
        for child in folder.iterdir():
            child.unlink(missing_ok=True)
        folder.rmdir()
        self._durable_folders.discard(folder)
        fsync_dir(self.root)

    def sweep_incoming(self, older_than_seconds: float = 3600) -> int:
        """Remove temporary files left by writes a crash interrupted; return how many. Recent
        ones are kept: another process (web, worker, CLI) may be writing them right now."""
        limit = time.time() - older_than_seconds
        leftovers = [p for p in self.root.glob("*/.incoming-*") if _mtime(p) < limit]
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)

    def committed_before(self, before: float) -> Iterator[str]:
        for path in self.root.glob("*/*"):
            name = f"{path.parent.name}/{path.name}"
            if _SAFE_NAME.match(name) and _mtime(path) < before:
                yield name

    def delete(self, name: str) -> None:
        path = self._path(_checked_name(name))
        path.unlink(missing_ok=True)
        fsync_dir(path.parent)
        with contextlib.suppress(OSError):  # the case folder is removed once empty
            path.parent.rmdir()
            self._durable_folders.discard(path.parent)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def _chunks_of(fh: Any) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(READ_CHUNK):
            yield chunk


PART_SIZE = 8 * 1024 * 1024  # S3 parts must be at least 5 MiB except the last


class _PendingObject:
    """A multipart upload (started lazily once a full part is buffered; small blobs use one
    PutObject). S3 makes the object visible only when the upload completes."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []

    def write(self, data: bytes | memoryview) -> None:
        self.buffer += data
        while len(self.buffer) >= PART_SIZE:
            self._send_part(bytes(self.buffer[:PART_SIZE]))
            del self.buffer[:PART_SIZE]

    def _send_part(self, body: bytes) -> None:
        if self.upload_id is None:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        sent = self.client.upload_part(Bucket=self.bucket, Key=self.key, PartNumber=number,
                                       UploadId=self.upload_id, Body=body)
        self.parts.append({"PartNumber": number, "ETag": sent["ETag"]})

    def publish(self) -> NameSync:
        self.commit()
        return _object_already_durable

    def commit(self) -> None:
        if self.upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
            return
        if self.buffer:
            self._send_part(bytes(self.buffer))
            self.buffer.clear()
        self.client.complete_multipart_upload(Bucket=self.bucket, Key=self.key,
                                              UploadId=self.upload_id,
                                              MultipartUpload={"Parts": self.parts})

    def abort(self) -> None:
        if self.upload_id is not None:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key,
                                               UploadId=self.upload_id)
            self.upload_id = None


def _object_already_durable() -> None:
    """S3 acknowledges a PutObject or a completed multipart upload once it is stored durably:
    there is no separate name to sync."""


class S3BlobStore:
    def __init__(self, client: Any, bucket: str, create_bucket: bool = False) -> None:
        self.client, self.bucket = client, bucket
        if create_bucket:
            existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if bucket not in existing:
                client.create_bucket(Bucket=bucket)

    @classmethod
    def connect(cls, endpoint_url: str | None, bucket: str, region: str,
                create_bucket: bool = False) -> S3BlobStore:
        import boto3

        # Credentials come from the standard AWS variables, files or instance roles.
        client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        return cls(client, bucket, create_bucket=create_bucket)

    def begin(self, name: str) -> PendingBlob:
        return _PendingObject(self.client, self.bucket, _checked_name(name))

    def read(self, name: str) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=_checked_name(name))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise BlobNotFound(name) from None
            raise
        return _stream_body(body)

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked_name(name))
        except ClientError:
            return False
        return True

    def delete_prefix(self, prefix: str) -> None:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=_checked_prefix(prefix))
        for page in pages:
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})

    def committed_before(self, before: float) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for entry in page.get("Contents", []):
                if (_SAFE_NAME.match(entry["Key"])
                        and entry["LastModified"].timestamp() < before):
                    yield entry["Key"]

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_checked_name(name))

    def sweep_incoming(self, older_than_seconds: float = 3600) -> int:
        """Abort multipart uploads a crash left unfinished (their parts are billed and kept
        forever otherwise); recent ones may still be in progress in another process."""
        limit = time.time() - older_than_seconds
        aborted = 0
        for page in self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket):
            for upload in page.get("Uploads", []):
                if upload["Initiated"].timestamp() < limit:
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"],
                                                       UploadId=upload["UploadId"])
                    aborted += 1
        return aborted


def _stream_body(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(READ_CHUNK)
    finally:
        body.close()
