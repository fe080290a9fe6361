"""encrypt_stream reuses its segment buffers between items (default segment size) and reads
with readinto when it can: items sealed one after another, on both sides of a segment
boundary, still round trip; streams with read() only still work."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from rempart.evidence import crypto

SEG = crypto.SEGMENT_SIZE


def seal(source: object, item_id: str) -> tuple[bytes, bytes, crypto.SealedSummary]:
    key, out = crypto.new_data_key(), bytearray()
    summary = crypto.encrypt_stream(key, item_id, source, out.extend)  # type: ignore[arg-type]
    return bytes(out), key, summary


def unseal(blob: bytes, key: bytes, item_id: str, digest: str) -> bytes:
    return b"".join(crypto.decrypt_stream(key, item_id, digest, [blob]))


def test_items_sealed_one_after_another_with_reused_buffers_round_trip() -> None:
    payloads = [os.urandom(SEG), os.urandom(100), os.urandom(2 * SEG + 5), b"", os.urandom(SEG - 1)]
    sealed = [seal(io.BytesIO(p), f"item-{i}") for i, p in enumerate(payloads)]
    for i, (payload, (blob, key, summary)) in enumerate(zip(payloads, sealed, strict=True)):
        assert (summary.size, summary.sha256) == (len(payload), hashlib.sha256(payload).hexdigest())
        assert unseal(blob, key, f"item-{i}", summary.sha256) == payload
    assert len(crypto._SPARE_BUFFERS) <= crypto._MAX_SPARE


class ReadOnly:
    """A stream with read() only, returning at most 1000 bytes at a time."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        piece, self.data = self.data[:min(size, 1000)], self.data[min(size, 1000):]
        return piece


@pytest.mark.parametrize("size", [0, 999, SEG, SEG + 1])
def test_a_stream_without_readinto_is_read_in_full(size: int) -> None:
    payload = os.urandom(size)
    blob, key, summary = seal(ReadOnly(payload), "item")
    assert unseal(blob, key, "item", summary.sha256) == payload


def test_a_failing_source_gives_its_buffers_back() -> None:
    class Broken(io.RawIOBase):
        def readinto(self, buffer: object) -> int:
            raise OSError("upload interrupted")

    with pytest.raises(OSError):
        seal(Broken(), "item")
    payload = os.urandom(SEG + 3)
    blob, key, summary = seal(io.BytesIO(payload), "item")
    assert unseal(blob, key, "item", summary.sha256) == payload
