"""Exact PDQ matching at scale: Rempart's index against faiss and HMA's index, in one process.

For banks of random PDQ hashes (default 10^6 and 10^7) with queries planted at distances 0-31
from bank hashes (every distance, including exactly 31), with 1 and 2 threads:
queries/second (batched), p50/p99 latency of single queries, recall of the planted neighbours,
memory per hash, build time and the time to add 1,000 hashes to a built index.
Baselines: faiss ``IndexBinaryFlat`` (exact brute force) and threatexchange's ``PDQIndex``
(faiss ``IndexBinaryMultiHash``, what HMA uses). Ratios are to faiss flat in the same run.
"Rempart via signal type pdq" is the same index reached as banks and the API reach it (the
``pdq`` signal type's index: hex strings in, (query, entry, distance) hits out).

    python benchmarks/bench_matching.py [--sizes 1000000,10000000] [--hma-max 1000000]

faiss runs with OMP_WAIT_POLICY=PASSIVE and, if Debian's libjemalloc2 is installed, the script
re-executes itself under jemalloc (see ../shared/FACTS.md: both speed faiss up a lot).
HMA's index peaks near 9 GB while building at 10^7, so by default it is only built up to
``--hma-max`` hashes (the machine is shared); skipped cells say so.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
if os.path.exists(JEMALLOC) and JEMALLOC not in os.environ.get("LD_PRELOAD", ""):
    os.environ["LD_PRELOAD"] = JEMALLOC
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.execv(sys.executable, [sys.executable, *sys.argv])
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from rempart.detect.pdq_index import LivePDQIndex  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "matching.json"
RADIUS = 31


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def planted_queries(bank: np.ndarray, count: int, rng: np.random.Generator):
    targets = rng.integers(0, len(bank), count)
    distances = np.arange(count) % (RADIUS + 1)
    bits = np.unpackbits(bank[targets].view(np.uint8), axis=1)
    for i, d in enumerate(distances):
        bits[i, rng.choice(256, d, replace=False)] ^= 1
    return np.packbits(bits, axis=1).view(np.uint64), targets


class Rempart:
    name = "Rempart (exact MIH, C)"

    def build(self, bank):
        self.index = LivePDQIndex(bank, np.arange(len(bank), dtype=np.int64))

    def memory(self, n):
        return self.index.memory_bytes() / n

    def set_threads(self, t):
        self.threads = t

    def batch(self, q):
        m = self.index.search(q, RADIUS, threads=self.threads)
        return set(zip(m.query.tolist(), m.ids.tolist(), strict=True))

    def one(self, q):
        self.index.search(q[None, :], RADIUS)

    def add(self, extra, first_id):
        self.index.add(extra, np.arange(first_id, first_id + len(extra)))


class RempartSignalType(Rempart):
    """The same index behind the ``pdq`` signal type, as banks and the API use it: hex in."""

    name = "Rempart via signal type pdq (hex)"

    def build(self, bank):
        from rempart.detect import signal_types

        self.kind = signal_types.get("pdq")
        self.index = self.kind.new_index()
        self.index.add(np.arange(len(bank), dtype=np.int64), bank)  # pack() gives these words

    def memory(self, n):
        return self.index.live.memory_bytes() / n

    def batch(self, q):
        hexes = [bytes(row).hex() for row in q.view(np.uint8)]
        return {(r, e) for r, e, _ in self.index.search(hexes, RADIUS, self.threads)}

    def one(self, q):
        self.index.search([bytes(q.view(np.uint8)).hex()], RADIUS)

    def add(self, extra, first_id):
        self.index.add(np.arange(first_id, first_id + len(extra), dtype=np.int64), extra)


class FaissFlat:
    name = "faiss IndexBinaryFlat"

    def build(self, bank):
        self.index = faiss.IndexBinaryFlat(256)
        self.index.add(bank.view(np.uint8))

    def memory(self, n):
        return 32.0

    def set_threads(self, t):
        faiss.omp_set_num_threads(t)

    def batch(self, q):
        lims, _, ids = self.index.range_search(q.view(np.uint8), RADIUS + 1)  # strict <
        return {(i, int(j)) for i in range(len(q)) for j in ids[lims[i]:lims[i + 1]]}

    def one(self, q):
        self.index.range_search(q[None, :].view(np.uint8), RADIUS + 1)

    def add(self, extra, first_id):
        self.index.add(extra.view(np.uint8))


class HmaIndex:
    name = "threatexchange PDQIndex (HMA)"

    def build(self, bank):
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        hexes = [bytes(row).hex() for row in bank.view(np.uint8)]
        before = rss_bytes()  # what the index adds on top of the hex strings it is given
        self.index = PDQIndex((h, i) for i, h in enumerate(hexes))
        self.bytes = max(0, rss_bytes() - before)

    def memory(self, n):
        return self.bytes / n

    def set_threads(self, t):
        faiss.omp_set_num_threads(t)

    def batch(self, q):
        hexes = [bytes(row).hex() for row in q.view(np.uint8)]
        found = self.index.index.search_with_distance_in_result(hexes, RADIUS)
        return {(i, int(j)) for i, h in enumerate(hexes) for j, _, _ in found[h]}

    def one(self, q):
        self.index.query(bytes(q.view(np.uint8)).hex())

    def add(self, extra, first_id):
        self.index.add_all((bytes(r).hex(), first_id + i) for i, r in enumerate(extra.view(
            np.uint8)))


def measure(engine, bank, queries, targets, n_queries, n_single, threads):
    engine.set_threads(threads)
    q = queries[:n_queries]
    start = time.perf_counter()
    found = engine.batch(q)
    qps = len(q) / (time.perf_counter() - start)
    pairs = {(a, b) for a, b, *_ in found}
    recall = np.mean([(i, int(t)) in pairs for i, t in enumerate(targets[:n_queries])])
    latencies = []
    for row in queries[:n_single]:
        t0 = time.perf_counter()
        engine.one(row)
        latencies.append(time.perf_counter() - t0)
    return {"qps": qps, "p50_ms": 1000 * float(np.percentile(latencies, 50)),
            "p99_ms": 1000 * float(np.percentile(latencies, 99)), "recall": float(recall)}


def run_size(n, args, rng):
    bank = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    queries, targets = planted_queries(bank, args.queries, rng)
    extra = rng.integers(0, 2**64, size=(1000, 4), dtype=np.uint64)
    # Brute force over 10^7 is slow: fewer batched queries for the flat baseline there.
    flat_queries = max(200, min(args.queries, int(args.queries * 1e6 / n)))
    rows = []
    engines = [Rempart(), RempartSignalType(), FaissFlat()]
    if n <= args.hma_max:
        engines.append(HmaIndex())
    for engine in engines:
        gc.collect()
        t0 = time.perf_counter()
        engine.build(bank)
        build_s = time.perf_counter() - t0
        nq = flat_queries if isinstance(engine, FaissFlat) else args.queries
        single = min(args.single, nq)
        for threads in (1, 2):
            row = {"size": n, "index": engine.name, "threads": threads, "build_s": build_s,
                   "bytes_per_hash": engine.memory(n), "queries": nq,
                   **measure(engine, bank, queries, targets, nq, single, threads)}
            rows.append(row)
            print(f"  {engine.name:32} {threads}t {row['qps']:9.0f} q/s  "
                  f"recall {row['recall']:.4f}", flush=True)
        t0 = time.perf_counter()
        engine.add(extra, n)
        add_ms = 1000 * (time.perf_counter() - t0)
        for row in rows[-2:]:
            row["add_1000_ms"] = add_ms
        del engine
        gc.collect()
    if n > args.hma_max:
        rows.append({"size": n, "index": HmaIndex.name, "skipped":
                     f"not built above {args.hma_max:,} hashes (peaks near 9 GB at 10^7)"})
    return rows


def table(rows):
    flat = {(r["size"], r["threads"]): r["qps"] for r in rows
            if r["index"] == FaissFlat.name and "qps" in r}
    lines = ["| hashes | index | threads | q/s | × faiss flat | p50 ms | p99 ms | recall "
             "(d ≤ 31) | bytes/hash | build s | add 1k ms |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['size']:,} | {r['index']} | – | skipped: {r['skipped']} "
                         "| | | | | | | |")
            continue
        ratio = r["qps"] / flat[(r["size"], r["threads"])]
        lines.append(f"| {r['size']:,} | {r['index']} | {r['threads']} | {r['qps']:,.0f} | "
                     f"{ratio:.1f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                     f"{100 * r['recall']:.2f} % | {r['bytes_per_hash']:.0f} | "
                     f"{r['build_s']:.1f} | {r['add_1000_ms']:.1f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--queries", type=int, default=4000, help="batched queries")
    parser.add_argument("--single", type=int, default=500, help="single queries for latency")
    parser.add_argument("--hma-max", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    for n in (int(float(s)) for s in args.sizes.split(",")):
        print(f"{n:,} hashes", flush=True)
        rows.extend(run_size(n, args, rng))
    text = table(rows)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"radius": RADIUS, "cpu_count": os.cpu_count(),
                                   "jemalloc": JEMALLOC in os.environ.get("LD_PRELOAD", ""),
                                   "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
