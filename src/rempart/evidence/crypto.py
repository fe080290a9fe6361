"""Streamed authenticated encryption of evidence (the only module that encrypts evidence bytes).

Format (version 1)::

    header   = b"RMPV" | version (1 byte) | segment size (4 bytes, big endian) | nonce prefix (7)
    segments = AES-256-GCM(segment plaintext) | 16-byte tag, each one ``segment size`` plaintext
               bytes except the last, which is shorter (possibly empty: a 0-byte item is one
               empty last segment)

Each item has its own random 256-bit data key, so nonces only need to be unique per key: the
nonce is the random 7-byte prefix, the 4-byte segment counter and a 1-byte last-segment flag (the
STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár). The associated data of every
segment binds the whole header, the item id and the segment index, so segments cannot be
reordered, moved between items, or replayed under another header. The last segment is marked
both in its nonce and its associated data, so cutting the file at a segment boundary fails.

Why the plaintext SHA-256 goes into the last segment's associated data instead of a header: the
upload is a stream that may not be seekable and a 1 GB video must not be held in memory, so the
digest is only known after the last byte has been read. The last segment is sealed once the
digest is known (one segment of read-ahead), and the vault keeps the digest next to the wrapped
data key; decryption needs that digest to open the last segment, so a blob cannot be passed off
as another item's content even with the right key.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rempart.evidence.interface import EvidenceIntegrityError

MAGIC = b"RMPV"
VERSION = 1
SEGMENT_SIZE = 1024 * 1024
TAG_SIZE = 16
KEY_SIZE = 32
_NONCE_PREFIX_SIZE = 7
_HEADER = struct.Struct(f">4sBI{_NONCE_PREFIX_SIZE}s")
HEADER_SIZE = _HEADER.size
_MAX_SEGMENTS = 2**32 - 1


@dataclass(frozen=True)
class SealedSummary:
    sha256: str  # hex digest of the plaintext
    size: int  # plaintext bytes


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index > _MAX_SEGMENTS:
        raise ValueError("too many segments for one item")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def _aad(header: bytes, item_id: str, index: int, last: bool, sha256: bytes) -> bytes:
    item = item_id.encode("utf-8")
    tail = sha256 if last else b""
    return header + struct.pack(">H", len(item)) + item + struct.pack(">IB", index, last) + tail


def encrypt_stream(key: bytes, item_id: str, source: BinaryIO,
                   write: Callable[[memoryview], object],
                   segment_size: int = SEGMENT_SIZE) -> SealedSummary:
    """Encrypt ``source`` segment by segment, handing each sealed piece to ``write``, which must
    consume it before returning: the buffer is reused for the next segment."""
    if len(key) != KEY_SIZE:
        raise ValueError("data keys are 256 bits")
    header = _HEADER.pack(MAGIC, VERSION, segment_size, os.urandom(_NONCE_PREFIX_SIZE))
    prefix = header[-_NONCE_PREFIX_SIZE:]
    aead, hasher, size = AESGCM(key), hashlib.sha256(), 0
    write(memoryview(header))
    with _segment_buffers(segment_size) as (current, following, sealed):
        count, index = _read_into(source, current), 0
        while True:
            plain = current[:count]
            hasher.update(plain)
            size += count
            ahead = _read_into(source, following) if count == segment_size else 0
            last = ahead == 0
            digest = hasher.digest() if last else b""
            aad = _aad(header, item_id, index, last, digest)
            out = sealed[:count + TAG_SIZE]
            aead.encrypt_into(_nonce(prefix, index, last), plain, aad, out)
            write(out)
            if last:
                return SealedSummary(sha256=hasher.hexdigest(), size=size)
            current, following, count, index = following, current, ahead, index + 1


# Spare buffers for the default segment size: two plaintext segments (the current one and the
# one read ahead) and one sealed segment. Allocating those 3 MiB afresh for every screenshot
# costs more in page faults than encrypting it (measured with benchmarks/bench_vault.py), so a
# few sets are kept. Between uses they hold the last plaintext, as freed memory would.
_SPARE_BUFFERS: list[tuple[bytearray, bytearray, bytearray]] = []
_SPARE_LOCK = threading.Lock()
_MAX_SPARE = 2


@contextmanager
def _segment_buffers(segment_size: int) -> Iterator[tuple[memoryview, memoryview, memoryview]]:
    pooled = segment_size == SEGMENT_SIZE
    spare = None
    if pooled:
        with _SPARE_LOCK:
            spare = _SPARE_BUFFERS.pop() if _SPARE_BUFFERS else None
    buffers = spare or (bytearray(segment_size), bytearray(segment_size),
                        bytearray(segment_size + TAG_SIZE))
    views = tuple(memoryview(b) for b in buffers)
    try:
        yield views[0], views[1], views[2]
    finally:
        for view in views:
            view.release()
        if pooled:
            with _SPARE_LOCK:
                if len(_SPARE_BUFFERS) < _MAX_SPARE:
                    _SPARE_BUFFERS.append(buffers)


def _read_into(source: BinaryIO, buffer: memoryview) -> int:
    """Fill ``buffer`` unless the stream ends first (sockets and pipes return less than asked);
    return how many bytes it holds."""
    readinto = getattr(source, "readinto", None)
    filled = 0
    while filled < len(buffer):
        if readinto is not None:
            try:
                count = readinto(buffer[filled:]) or 0
            except (NotImplementedError, io.UnsupportedOperation):
                readinto = None  # a stream with read() only
                continue
        else:
            chunk = source.read(len(buffer) - filled) or b""
            count = len(chunk)
            buffer[filled:filled + count] = chunk
        if not count:
            break
        filled += count
    return filled


class _Rechunker:
    """Turns an iterator of arbitrary chunks into exact-size reads, without holding more than
    one segment."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out


def decrypt_stream(key: bytes, item_id: str, sha256_hex: str, chunks: Iterable[bytes]
                   ) -> Iterator[bytes]:
    """Yield verified plaintext segments; raise EvidenceIntegrityError on any alteration.

    Every yielded segment is authentic, but truncation or a wrong digest is only known at the
    end: callers that must not emit anything unverified use ``verify_stream`` first.
    """
    reader = _Rechunker(chunks)
    header = reader.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE:
        raise EvidenceIntegrityError(f"item {item_id}: truncated header")
    magic, version, segment_size, prefix = _HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 0 < segment_size <= 64 * 1024 * 1024:
        raise EvidenceIntegrityError(f"item {item_id}: unknown blob format")
    try:
        expected = bytes.fromhex(sha256_hex)
    except ValueError:
        raise EvidenceIntegrityError(f"item {item_id}: malformed digest") from None
    aead, hasher = AESGCM(key), hashlib.sha256()
    sealed_size = segment_size + TAG_SIZE
    current, index = reader.read(sealed_size), 0
    while True:
        following = reader.read(sealed_size) if len(current) == sealed_size else b""
        last = not following
        aad = _aad(header, item_id, index, last, expected if last else b"")
        try:
            plain = aead.decrypt(_nonce(prefix, index, last), current, aad)
        except (InvalidTag, ValueError):
            raise EvidenceIntegrityError(
                f"item {item_id}: segment {index} fails authentication") from None
        hasher.update(plain)
        if last:
            if hasher.digest() != expected:
                raise EvidenceIntegrityError(f"item {item_id} does not match its SHA-256")
            if plain:
                yield plain
            return
        yield plain
        current, index = following, index + 1


def verify_stream(key: bytes, item_id: str, sha256_hex: str, chunks: Iterable[bytes]) -> int:
    """Authenticate the whole blob without keeping the plaintext; return its plaintext size."""
    return sum(len(p) for p in decrypt_stream(key, item_id, sha256_hex, chunks))
