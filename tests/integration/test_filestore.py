"""The plain filesystem evidence store: atomic, content-addressed, confined, verified."""

import hashlib
import io

import pytest

from rempart.evidence.filestore import CHUNK, FilesystemEvidenceStore
from rempart.evidence.interface import EvidenceIntegrityError, EvidenceNotFound

CASE, ITEM = "case-1", "item-1"


@pytest.fixture
def store(tmp_path):
    return FilesystemEvidenceStore(tmp_path / "evidence")


def test_it_stores_and_streams_back_in_chunks(store):
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 7)
    blob = store.put(CASE, ITEM, io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest() and blob.size == len(data)
    chunks = list(store.open(CASE, ITEM))
    assert len(chunks) == 3 and b"".join(chunks) == data
    assert (store.root / CASE / "blobs" / blob.sha256).exists()


def test_same_content_is_stored_once_per_case(store):
    store.put(CASE, "a", io.BytesIO(b"same"))
    store.put(CASE, "b", io.BytesIO(b"same"))
    assert len(list((store.root / CASE / "blobs").iterdir())) == 1


class BrokenStream(io.RawIOBase):
    def __init__(self):
        self.calls = 0

    def read(self, size=-1):
        self.calls += 1
        if self.calls > 2:
            raise OSError("connection lost")
        return b"x" * 1000


def test_a_failed_write_leaves_nothing_visible(store):
    with pytest.raises(OSError):
        store.put(CASE, ITEM, BrokenStream())
    leftovers = [p for p in (store.root / CASE).rglob("*") if p.is_file()]
    assert leftovers == []
    with pytest.raises(EvidenceNotFound):
        store.open(CASE, ITEM)


@pytest.mark.parametrize("case_id, item_id", [("../x", ITEM), (CASE, "../../etc"),
                                              ("", ITEM), (CASE, "a/b"), (".", ITEM)])
def test_it_refuses_ids_that_could_leave_the_root(store, case_id, item_id):
    with pytest.raises(ValueError):
        store.put(case_id, item_id, io.BytesIO(b"x"))


def test_it_refuses_a_symlink_pointing_outside_the_root(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "evil").symlink_to(outside)
    with pytest.raises(ValueError):
        store.put("evil", ITEM, io.BytesIO(b"x"))
    assert list(outside.iterdir()) == []


def test_it_detects_altered_bytes_before_serving_them(store):
    blob = store.put(CASE, ITEM, io.BytesIO(b"original"))
    (store.root / CASE / "blobs" / blob.sha256).write_bytes(b"tampered")
    with pytest.raises(EvidenceIntegrityError):
        store.open(CASE, ITEM)


def test_delete_case_removes_every_item_of_that_case_only(store):
    store.put(CASE, ITEM, io.BytesIO(b"one"))
    store.put("case-2", ITEM, io.BytesIO(b"two"))
    store.delete_case(CASE)
    store.delete_case("never-stored")
    with pytest.raises(EvidenceNotFound):
        store.open(CASE, ITEM)
    assert b"".join(store.open("case-2", ITEM)) == b"two"
