"""Streamed AES-256-GCM: round trips at every size around segment boundaries, and every
tampering case (flipped bit, truncation, reordering, swapping between items, wrong digest)."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rempart.evidence import crypto
from rempart.evidence.interface import EvidenceIntegrityError

SEG = 64  # small segments so that boundaries are cheap to cross


def seal(data: bytes, item_id: str = "item-1", key: bytes | None = None
         ) -> tuple[bytes, bytes, str]:
    key = key or crypto.new_data_key()
    out = bytearray()
    summary = crypto.encrypt_stream(key, item_id, io.BytesIO(data), out.extend, SEG)
    return bytes(out), key, summary.sha256


def unseal(blob: bytes, key: bytes, digest: str, item_id: str = "item-1") -> bytes:
    chunks = [blob[i:i + 7] for i in range(0, len(blob), 7)]  # odd chunking on purpose
    return b"".join(crypto.decrypt_stream(key, item_id, digest, chunks))


def segments(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[crypto.HEADER_SIZE:]
    step = SEG + crypto.TAG_SIZE
    return blob[:crypto.HEADER_SIZE], [body[i:i + step] for i in range(0, len(body), step)]


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(0, 5 * SEG + 3),
                 st.sampled_from([0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG - 1])))
def test_it_round_trips_every_size_around_segment_boundaries(size: int) -> None:
    data = os.urandom(size)
    blob, key, digest = seal(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert unseal(blob, key, digest) == data
    assert crypto.verify_stream(key, "item-1", digest, [blob]) == size


def test_it_reports_size_and_digest_of_the_plaintext() -> None:
    data = b"x" * (3 * SEG)
    out = bytearray()
    summary = crypto.encrypt_stream(crypto.new_data_key(), "i", io.BytesIO(data), out.extend, SEG)
    assert summary.size == len(data)
    assert summary.sha256 == hashlib.sha256(data).hexdigest()
    assert data not in bytes(out)


def test_it_reads_short_reads_from_pipes_in_full() -> None:
    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = data

        def read(self, n: int = -1) -> bytes:
            step = min(3, n) if n >= 0 else 3
            piece, self.data = self.data[:step], self.data[step:]
            return piece

    data = os.urandom(5 * SEG + 5)
    out = bytearray()
    key = crypto.new_data_key()
    summary = crypto.encrypt_stream(key, "i", Trickle(data), out.extend, SEG)  # type: ignore[arg-type]
    assert unseal(bytes(out), key, summary.sha256, "i") == data


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_it_detects_any_flipped_bit(data: st.DataObject) -> None:
    plain = os.urandom(data.draw(st.integers(0, 3 * SEG)))
    blob, key, digest = seal(plain)
    position = data.draw(st.integers(0, len(blob) * 8 - 1))
    tampered = bytearray(blob)
    tampered[position // 8] ^= 1 << (position % 8)
    with pytest.raises(EvidenceIntegrityError):
        unseal(bytes(tampered), key, digest)


@pytest.mark.parametrize("size", [0, SEG, 3 * SEG, 3 * SEG + 10])
def test_it_detects_truncation_at_every_segment_boundary_and_byte(size: int) -> None:
    blob, key, digest = seal(os.urandom(size))
    for cut in range(len(blob)):
        with pytest.raises(EvidenceIntegrityError):
            unseal(blob[:cut], key, digest)


def test_it_detects_appended_segments_and_bytes() -> None:
    blob, key, digest = seal(os.urandom(2 * SEG + 1))
    header, segs = segments(blob)
    with pytest.raises(EvidenceIntegrityError):
        unseal(blob + b"\x00", key, digest)
    with pytest.raises(EvidenceIntegrityError):
        unseal(header + b"".join(segs + [segs[-1]]), key, digest)


def test_it_detects_reordered_segments() -> None:
    blob, key, digest = seal(os.urandom(3 * SEG + 5))
    header, segs = segments(blob)
    swapped = [segs[1], segs[0], *segs[2:]]
    with pytest.raises(EvidenceIntegrityError):
        unseal(header + b"".join(swapped), key, digest)


def test_it_detects_segments_swapped_between_items_with_the_same_key() -> None:
    key = crypto.new_data_key()
    blob_a, _, digest_a = seal(os.urandom(2 * SEG + 3), "item-a", key)
    blob_b, _, _ = seal(os.urandom(2 * SEG + 3), "item-b", key)
    header_a, segs_a = segments(blob_a)
    _, segs_b = segments(blob_b)
    with pytest.raises(EvidenceIntegrityError):
        unseal(header_a + segs_b[0] + b"".join(segs_a[1:]), key, digest_a, "item-a")
    with pytest.raises(EvidenceIntegrityError):  # whole blob presented as another item
        unseal(blob_a, key, digest_a, "item-b")


def test_it_refuses_a_wrong_digest_or_key() -> None:
    blob, key, digest = seal(b"screenshot")
    with pytest.raises(EvidenceIntegrityError):
        unseal(blob, key, hashlib.sha256(b"other").hexdigest())
    with pytest.raises(EvidenceIntegrityError):
        unseal(blob, crypto.new_data_key(), digest)
    with pytest.raises(EvidenceIntegrityError):
        unseal(blob, key, "not hex")


def test_it_refuses_an_unknown_format() -> None:
    blob, key, digest = seal(b"abc")
    with pytest.raises(EvidenceIntegrityError):
        unseal(b"XXXX" + blob[4:], key, digest)
    with pytest.raises(EvidenceIntegrityError):
        unseal(blob[:4] + b"\x02" + blob[5:], key, digest)
    with pytest.raises(EvidenceIntegrityError):
        unseal(b"", key, digest)


def test_it_uses_a_fresh_nonce_prefix_per_item() -> None:
    key = crypto.new_data_key()
    first, _, _ = seal(b"same", "i", key)
    second, _, _ = seal(b"same", "i", key)
    assert first[:crypto.HEADER_SIZE] != second[:crypto.HEADER_SIZE]
    assert first != second
