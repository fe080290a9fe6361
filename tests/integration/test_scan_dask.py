"""A two-worker local Dask cluster finds exactly the matches a single process finds."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from rempart.detect import banks, scan
from rempart.detect.banks import BankError, HashInput
from rempart.store.db import make_engine, make_session_factory

pytestmark = pytest.mark.slow


def near(hex_hash: str, bits: int, rng: random.Random) -> str:
    value = int(hex_hash, 16)
    for b in rng.sample(range(256), bits):
        value ^= 1 << b
    return f"{value:064x}"


@pytest.fixture
def backlog(migrated_url, tmp_path):
    if not migrated_url.startswith("sqlite"):
        pytest.skip("the scan reads a snapshot; one engine is enough for the Dask check")
    rng = random.Random(5)
    bank = [f"{rng.getrandbits(256):064x}" for _ in range(3000)]
    sessions = make_session_factory(make_engine(migrated_url))
    with sessions.begin() as s:
        banks.create_bank(s, "ncii-adults", "ncii-adults")
        banks.add_hashes(s, "ncii-adults", [HashInput("pdq", h, f"NC-{i}")
                                             for i, h in enumerate(bank)])
        banks.create_bank(s, "fp", "negative")
        banks.add_hashes(s, "fp", [HashInput("pdq", bank[0], "FP")])
    rows = [(f"c{i}", "pdq", near(bank[i % 3000], i % 40, rng)) for i in range(2000)]
    rows.append(("bad", "pdq", "not-a-hash"))
    path = tmp_path / "backlog.csv"
    pd.DataFrame(rows, columns=["content_id", "signal_type", "signal_value"]).to_csv(
        path, index=False)
    with sessions() as s:
        yield scan.take_snapshot(s, ["ncii-adults"]), path


def key(frame):
    return sorted(map(tuple, frame[["content_id", "entry_id", "distance"]].values.tolist()))


def test_two_worker_cluster_matches_like_one_process(backlog):
    snapshot, path = backlog
    parts = scan.input_partitions(path, blocksize=20_000)
    assert len(parts) >= 4  # several partitions, so both workers get some
    local = scan.run_scan(parts, snapshot)
    assert len(local) >= 1500 and (local["distance"] <= 31).all()
    assert "c0" not in set(local["content_id"])  # suppressed by the negative bank
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    try:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            distributed = scan.run_scan(scan.input_partitions(path, blocksize=20_000), snapshot,
                                       client)
    finally:
        cluster.close()
    assert key(distributed) == key(local)


def test_it_rejects_input_without_hash_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(BankError, match="signal_type"):
        scan.input_partitions(path)
