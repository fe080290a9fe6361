"""Exact PDQ index: every stored hash within the radius is returned, fast at 10^7 hashes.

``PDQIndex`` is immutable once built except for withdrawals (a liveness byte per hash, cleared at
once). ``LivePDQIndex`` adds a small delta of recent hashes that is scanned linearly, so adds are
visible immediately, and folds the delta into a freshly built index when it grows, swapping the
reference atomically (readers never wait). The heavy lifting is in ``_pdqmih.c`` (multi-index
hashing with CSR buckets, see there for the exactness argument).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

try:
    import rempart.detect._pdqmih as _pdqmih
except ImportError as exc:  # a checkout where the C extension was never compiled
    raise ImportError("rempart.detect._pdqmih is not built: run `pip install -e .`") from exc
from rempart.detect.signals import PDQ_BITS

# 11 substrings (3 of 24 bits, 8 of 23): radius 31 needs substring radius 2 (11 * 3 > 32).
SUBSTRING_BITS = (24, 24, 24, 23, 23, 23, 23, 23, 23, 23, 23)
MAX_MIH_RADIUS = len(SUBSTRING_BITS) * 3 - 1  # beyond this the index scans linearly
DELTA_LIMIT = 50_000  # hashes scanned linearly before they are folded into a rebuilt index

IntArray = npt.NDArray[np.int64]
WordArray = npt.NDArray[np.uint64]
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="pdq-search")


@dataclass(frozen=True)
class Matches:
    """Flat match list: query row ``query[i]`` matched ``ids[i]`` at ``distance[i]``."""

    query: IntArray
    ids: IntArray
    distance: npt.NDArray[np.int32]

    @classmethod
    def empty(cls) -> Matches:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def concat(cls, parts: list[Matches]) -> Matches:
        parts = [p for p in parts if len(p)] or [cls.empty()]
        return cls(np.concatenate([p.query for p in parts]),
                   np.concatenate([p.ids for p in parts]),
                   np.concatenate([p.distance for p in parts]))

    def as_tuples(self) -> set[tuple[int, int, int]]:
        return set(zip(self.query.tolist(), self.ids.tolist(), self.distance.tolist(),
                       strict=True))


def probe_radii(radius: int) -> list[int]:
    """Bits to flip when probing each substring so that no hash within ``radius`` is missed.

    Pigeonhole: if substring t differs in more than r_t bits for every t, the hashes differ in
    at least sum(r_t + 1) bits; so sum(r_t + 1) > radius guarantees that some substring is
    within its r_t. The radius + 1 "units" are spread evenly, the longest substrings (first)
    getting the smaller radii since each of their probes costs the most; -1 means "not probed".
    """
    m = len(SUBSTRING_BITS)
    units, extra = divmod(radius + 1, m)
    return [units - 1 + (t >= m - extra) for t in range(m)]


def _as_words(hashes: npt.ArrayLike) -> WordArray:
    words = np.ascontiguousarray(hashes, dtype=np.uint64)
    if words.ndim != 2 or words.shape[1] != PDQ_BITS // 64:
        raise ValueError("PDQ hashes must be an (n, 4) array of 64-bit words")
    return words


class PDQIndex:
    """Exact radius search over a fixed set of PDQ hashes (ids are the caller's int64 keys)."""

    def __init__(self, hashes: npt.ArrayLike, ids: npt.ArrayLike, indexed: bool = True) -> None:
        self._words = _as_words(hashes)
        self._ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(self._ids) != len(self._words):
            raise ValueError("one id per hash")
        self._alive = np.ones(len(self._ids), dtype=np.uint8)
        order = np.argsort(self._ids, kind="stable")
        self._sorted_ids = self._ids[order]
        self._id_order = order.astype(np.uint32)
        self._tables = self._build_tables() if indexed and len(self._ids) else ()

    def _build_tables(self) -> tuple[tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], int,
                                           int], ...]:
        n, start, tables = len(self._ids), 0, []
        keys = np.empty(n, dtype=np.uint32)
        # A key made of the first bits of a substring differs in no more bits than the substring,
        # so shorter keys stay exact: size the tables to about one hash per bucket.
        key_bits = max(8, int(np.ceil(np.log2(n + 1))))
        for sub_bits in SUBSTRING_BITS:
            bits = min(sub_bits, key_bits)
            _pdqmih.extract_keys(self._words, n, start, bits, keys)
            offsets = np.empty((1 << bits) + 1, dtype=np.uint32)
            order = np.empty(n, dtype=np.uint32)
            _pdqmih.bucket_sort(keys, n, bits, offsets, order)
            tables.append((offsets, order, start, bits))
            start += sub_bits
        return tuple(tables)

    def __len__(self) -> int:
        return int(self._alive.sum())

    @property
    def size(self) -> int:
        return len(self._ids)

    def memory_bytes(self) -> int:
        tables = sum(o.nbytes + r.nbytes for o, r, _, _ in self._tables)
        return (self._words.nbytes + self._ids.nbytes + self._alive.nbytes
                + self._id_order.nbytes + self._sorted_ids.nbytes + tables)

    def withdraw(self, ids: npt.ArrayLike) -> int:
        """Stop returning these ids at once; returns how many live hashes this removed."""
        wanted = np.asarray(ids, dtype=np.int64)
        if not len(self._ids) or not len(wanted):
            return 0
        # Count only ids still live, so that a repeated withdrawal reports 0.
        lo = np.searchsorted(self._sorted_ids, wanted, side="left")
        hi = np.searchsorted(self._sorted_ids, wanted, side="right")
        positions = np.concatenate([self._id_order[a:b] for a, b in zip(lo, hi, strict=True)
                                    if b > a] or [np.zeros(0, np.uint32)])
        removed = int(self._alive[positions].sum())
        self._alive[positions] = 0
        return removed

    def live_entries(self) -> tuple[WordArray, IntArray]:
        keep = self._alive.astype(bool)
        return self._words[keep], self._ids[keep]

    def search(self, queries: npt.ArrayLike, radius: int = 31, threads: int = 1) -> Matches:
        q = _as_words(queries)
        if not len(q) or not len(self._ids):
            return Matches.empty()
        chunks = np.array_split(np.arange(len(q)), max(1, min(threads, len(q))))
        if len(chunks) == 1:
            return self._search_chunk(q, 0, radius)
        futures = [_pool.submit(self._search_chunk, q[c[0]:c[-1] + 1], int(c[0]), radius)
                   for c in chunks]
        return Matches.concat([f.result() for f in futures])

    def _search_chunk(self, q: WordArray, first: int, radius: int) -> Matches:
        use_mih = 0 <= radius <= MAX_MIH_RADIUS and bool(self._tables)
        # A substring given radius -1 needs no probe at all (small radii).
        tables = tuple((*t, r) for t, r in zip(self._tables, probe_radii(radius), strict=True)
                       if r >= 0) if use_mih else ()
        cap = max(len(self._ids) // 16, 65_536)  # beyond this, a linear scan is cheaper
        qidx, pos, dist = _pdqmih.search(self._words, self._alive, len(self._ids), tables,
                                         np.ascontiguousarray(q), len(q), radius, cap)
        positions = np.frombuffer(pos, dtype=np.int64)
        return Matches(np.frombuffer(qidx, dtype=np.int64) + first, self._ids[positions],
                       np.frombuffer(dist, dtype=np.int32).copy())


def _linear(words: npt.ArrayLike, ids: npt.ArrayLike) -> PDQIndex:
    return PDQIndex(words, ids, indexed=False)


def _empty() -> PDQIndex:
    return _linear(np.zeros((0, 4), np.uint64), np.zeros(0, np.int64))


class LivePDQIndex:
    """A ``PDQIndex`` plus recent hashes scanned linearly, for many readers and one writer.

    The state is ``(base, folding, delta)``: new hashes go to ``delta``; when it outgrows
    ``delta_limit`` it becomes ``folding`` and a background thread builds a new base from
    ``base + folding`` while adds keep landing in a fresh delta, so adds stay visible at once
    even while a large index is rebuilt. Withdrawals made during a fold are replayed on the new
    base before it is swapped in. Readers take the state tuple without locking.
    """

    def __init__(self, hashes: npt.ArrayLike | None = None, ids: npt.ArrayLike | None = None,
                 delta_limit: int = DELTA_LIMIT) -> None:
        base = PDQIndex(np.zeros((0, 4), np.uint64) if hashes is None else hashes,
                        np.zeros(0, np.int64) if ids is None else ids)
        self._state: tuple[PDQIndex, PDQIndex, PDQIndex] = (base, _empty(), _empty())
        self._delta_limit = delta_limit
        self._write = threading.Lock()
        self._fold_thread: threading.Thread | None = None
        self._withdrawn_during_fold: list[IntArray] = []

    def __len__(self) -> int:
        return sum(len(part) for part in self._state)

    def memory_bytes(self) -> int:
        return sum(part.memory_bytes() for part in self._state)

    def add(self, hashes: npt.ArrayLike, ids: npt.ArrayLike) -> None:
        words, new_ids = _as_words(hashes), np.asarray(ids, dtype=np.int64)
        with self._write:
            base, folding, delta = self._state
            old_words, old_ids = delta.live_entries()
            merged = _linear(np.concatenate([old_words, words]),
                             np.concatenate([old_ids, new_ids]))
            if merged.size <= self._delta_limit or self._fold_thread is not None:
                self._state = (base, folding, merged)
                return
            if merged.size >= base.size:
                # Rebuilding is cheap next to scanning this many hashes linearly (first load).
                self._state = (self._merge(base, merged), folding, _empty())
                return
            self._state = (base, merged, _empty())
            self._withdrawn_during_fold = []
            self._fold_thread = threading.Thread(target=self._fold, args=(base, merged),
                                                 daemon=True, name="pdq-index-fold")
            self._fold_thread.start()

    @staticmethod
    def _merge(base: PDQIndex, extra: PDQIndex) -> PDQIndex:
        base_words, base_ids = base.live_entries()
        extra_words, extra_ids = extra.live_entries()
        return PDQIndex(np.concatenate([base_words, extra_words]),
                        np.concatenate([base_ids, extra_ids]))

    def _fold(self, base: PDQIndex, folding: PDQIndex) -> None:
        rebuilt = self._merge(base, folding)
        with self._write:
            for ids in self._withdrawn_during_fold:
                rebuilt.withdraw(ids)
            self._state = (rebuilt, _empty(), self._state[2])
            self._withdrawn_during_fold = []
            self._fold_thread = None

    def wait_for_fold(self, timeout: float | None = None) -> None:
        thread = self._fold_thread
        if thread is not None:
            thread.join(timeout)

    def withdraw(self, ids: npt.ArrayLike) -> int:
        wanted = np.asarray(ids, dtype=np.int64)
        with self._write:
            if self._fold_thread is not None:
                self._withdrawn_during_fold.append(wanted)
            return sum(part.withdraw(wanted) for part in self._state)

    def search(self, queries: npt.ArrayLike, radius: int = 31, threads: int = 1) -> Matches:
        base, folding, delta = self._state
        return Matches.concat([base.search(queries, radius, threads),
                               folding.search(queries, radius, 1),
                               delta.search(queries, radius, 1)])
