"""The exact PDQ index gives exactly the brute-force answer, through adds and withdrawals."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rempart.detect.pdq_index import LivePDQIndex, PDQIndex

DISTANCES = [*range(32), 32, 40]


def flip_bits(words: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    bits = np.unpackbits(words.view(np.uint8))
    bits[rng.choice(256, count, replace=False)] ^= 1
    return np.packbits(bits).view(np.uint64)


def brute_force(bank, ids, queries, radius):
    out = set()
    for q, query in enumerate(queries):
        d = np.bitwise_count(bank ^ query).sum(axis=1)
        out |= {(q, int(ids[i]), int(d[i])) for i in np.nonzero(d <= radius)[0]}
    return out


def planted(seed: int, n: int):
    rng = np.random.default_rng(seed)
    bank = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    targets = rng.integers(0, n, len(DISTANCES))
    queries = np.stack([flip_bits(bank[t].copy(), d, rng) for t, d in zip(targets, DISTANCES)])
    return bank, queries, targets, rng


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3000),
       radius=st.sampled_from([0, 1, 5, 10, 11, 15, 21, 22, 26, 30, 31, 32, 33, 40]))
def test_it_returns_exactly_the_brute_force_result(seed, n, radius):
    bank, queries, _, _ = planted(seed, n)
    ids = np.arange(n, dtype=np.int64) * 7 + 3
    index = PDQIndex(bank, ids)
    assert index.search(queries, radius).as_tuples() == brute_force(bank, ids, queries, radius)


def test_it_finds_every_planted_neighbour_up_to_31_and_none_beyond():
    bank, queries, targets, _ = planted(1, 20_000)
    found = PDQIndex(bank, np.arange(len(bank))).search(queries, 31, threads=2).as_tuples()
    for q, (target, d) in enumerate(zip(targets, DISTANCES)):
        assert ((q, int(target), d) in found) == (d <= 31)


def test_it_handles_a_cluster_of_identical_hashes_without_dropping_any():
    rng = np.random.default_rng(2)
    bank = np.concatenate([np.zeros((5000, 4), np.uint64),
                           rng.integers(0, 2**64, size=(5000, 4), dtype=np.uint64)])
    index = PDQIndex(bank, np.arange(len(bank)))
    assert len(index.search(np.zeros((1, 4), np.uint64), 31)) == 5000


def test_it_stops_returning_withdrawn_ids_at_once():
    bank, queries, targets, _ = planted(3, 1000)
    index = PDQIndex(bank, np.arange(1000))
    assert index.withdraw([int(targets[0])]) == 1
    assert int(targets[0]) not in index.search(queries[:1], 31).ids.tolist()


def test_live_index_sees_adds_folds_the_delta_and_keeps_withdrawals():
    bank, queries, targets, rng = planted(4, 3000)
    ids = np.arange(3000)
    live = LivePDQIndex(bank[:1000], ids[:1000], delta_limit=300)
    for start in range(1000, 3000, 250):
        live.add(bank[start:start + 250], ids[start:start + 250])
        live.withdraw([int(targets[1])])  # possibly while a fold runs in the background
        keep = (ids < start + 250) & (ids != targets[1])
        assert live.search(queries, 31).as_tuples() == brute_force(bank[keep], ids[keep],
                                                                    queries, 31)
    live.wait_for_fold()
    keep = ids != targets[1]
    assert live.search(queries, 31).as_tuples() == brute_force(bank[keep], ids[keep],
                                                                queries, 31)
    assert len(live) == 2999


def test_probe_radii_satisfy_the_pigeonhole_bound_for_every_radius():
    from rempart.detect.pdq_index import MAX_MIH_RADIUS, probe_radii

    for radius in range(MAX_MIH_RADIUS + 1):
        radii = probe_radii(radius)
        assert sum(r + 1 for r in radii) > radius and max(radii) <= 2


def test_readers_never_miss_a_committed_hash_while_the_index_is_rebuilt():
    import threading

    rng = np.random.default_rng(6)
    bank = rng.integers(0, 2**64, size=(20_000, 4), dtype=np.uint64)
    live = LivePDQIndex(bank[:5000], np.arange(5000), delta_limit=1000)
    added = [5000]  # hashes [0, added[0]) are committed
    misses, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            upto = added[0]
            probe = rng.integers(0, upto, 16)
            found = set(live.search(bank[probe], 0).ids.tolist())
            misses.extend(int(p) for p in probe if int(p) not in found)

    thread = threading.Thread(target=reader)
    thread.start()
    for start in range(5000, 20_000, 500):
        live.add(bank[start:start + 500], np.arange(start, start + 500))
        added[0] = start + 500
    live.wait_for_fold()
    stop.set()
    thread.join()
    assert misses == []
