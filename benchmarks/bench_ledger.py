"""Custody ledger: batched appends per second, proof time at 10^6 leaves (SQLite and PostgreSQL).

Appends (``Ledger.append_many`` in batches, with the head lock and subtree nodes) are compared
with a plain INSERT of the same leaf rows into a bare table of the same database, in the same
run. Inclusion and consistency proofs at ``--leaves`` leaves (generation from the database plus
RFC 9162 verification) are compared with a single primary-key SELECT of one leaf row.

    python benchmarks/bench_ledger.py [--leaves 1000000] [--append-leaves 20000] [--batch 1000]

PostgreSQL runs when REMPART_TEST_POSTGRES (or --postgres) names a server: a temporary database
is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url

from rempart.domain import custody
from rempart.evidence import merkle
from rempart.evidence.ledger import Ledger
from rempart.store import migrate
from rempart.store.db import make_engine, make_session_factory
from rempart.store.ledger_tables import LedgerLeaf

RESULTS = Path(__file__).parent / "results" / "ledger.json"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def event(n: int) -> custody.CustodyEvent:
    return custody.received(f"case-{n % 977}", f"item-{n}", f"{n:064x}",
                            custody.ActorRole.REPORTER, T0 + timedelta(microseconds=n))


def fill(sessions, first: int, count: int, batch: int) -> float:
    start = time.perf_counter()
    for offset in range(0, count, batch):
        with sessions.begin() as session:
            Ledger(session).append_many(event(first + offset + i)
                                        for i in range(min(batch, count - offset)))
    return time.perf_counter() - start


def plain_inserts(engine, count: int, batch: int) -> float:
    table = Table(f"bench_plain_{uuid.uuid4().hex[:8]}", MetaData(),
                  Column("idx", BigInteger, primary_key=True, autoincrement=False),
                  Column("leaf", LargeBinary), Column("leaf_hash", LargeBinary),
                  Column("case_id", String(100)), Column("item_id", String(100)),
                  Column("created_at", DateTime(timezone=True)))
    table.create(engine)
    start = time.perf_counter()
    for offset in range(0, count, batch):
        rows = []
        for i in range(offset, min(offset + batch, count)):
            e = event(i)
            leaf = e.leaf_bytes()
            rows.append({"idx": i, "leaf": leaf, "leaf_hash": merkle.leaf_hash(leaf),
                         "case_id": e.case_id, "item_id": e.item_id,
                         "created_at": datetime.now(UTC)})
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
    elapsed = time.perf_counter() - start
    table.drop(engine)
    return elapsed


def time_proofs(sessions, size: int, samples: int) -> dict[str, float]:
    rng = random.Random(7)
    results: dict[str, list[float]] = {"inclusion": [], "consistency": [], "pk_select": []}
    with sessions() as session:
        ledger = Ledger(session)
        root = ledger.root(size)
        for _ in range(samples):
            index = rng.randrange(size)
            started = time.perf_counter()
            leaf_hash = bytes(session.scalar(select(LedgerLeaf.leaf_hash)
                                             .where(LedgerLeaf.idx == index)))
            results["pk_select"].append(time.perf_counter() - started)
            started = time.perf_counter()
            merkle.verify_inclusion(leaf_hash, index, size, ledger.inclusion_proof(index, size),
                                    root)
            results["inclusion"].append(time.perf_counter() - started)
            old = rng.randrange(1, size)
            old_root = ledger.root(old)
            started = time.perf_counter()
            merkle.verify_consistency(old, size, old_root, root,
                                      ledger.consistency_proof(old, size))
            results["consistency"].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in results.items()}


def run_engine(name: str, url: str, args) -> dict:
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    appended = fill(sessions, 0, args.append_leaves, args.batch)
    plain = plain_inserts(engine, args.append_leaves, args.batch)
    row = {"engine": name, "append_leaves": args.append_leaves, "batch": args.batch,
           "appends_per_s": args.append_leaves / appended,
           "plain_inserts_per_s": args.append_leaves / plain,
           "append_ratio_to_plain_insert": plain / appended}
    print(f"[{name}] {row['appends_per_s']:.0f} appends/s, plain INSERT "
          f"{row['plain_inserts_per_s']:.0f} rows/s", file=sys.stderr)
    if args.leaves > args.append_leaves:
        fill_time = fill(sessions, args.append_leaves, args.leaves - args.append_leaves, 10_000)
        print(f"[{name}] filled to {args.leaves} leaves in {fill_time:.0f} s", file=sys.stderr)
    proofs = time_proofs(sessions, args.leaves, args.samples)
    row.update({"proof_leaves": args.leaves, "inclusion_ms": proofs["inclusion"],
                "consistency_ms": proofs["consistency"], "pk_select_ms": proofs["pk_select"],
                "inclusion_ratio_to_pk_select": proofs["inclusion"] / proofs["pk_select"],
                "consistency_ratio_to_pk_select": proofs["consistency"] / proofs["pk_select"]})
    engine.dispose()
    return row


def postgres_database(server_url: str) -> tuple[str, callable]:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"rempart_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server_url).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--append-leaves", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("REMPART_TEST_POSTGRES", ""))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(run_engine("sqlite", f"sqlite:///{folder}/bench.db", args))
    if args.postgres:
        url, drop = postgres_database(args.postgres)
        try:
            rows.append(run_engine("postgresql", url, args))
        finally:
            drop()
    print(f"{'engine':<11}{'appends/s':>10}{'×plain':>8}{'leaves':>10}{'incl ms':>9}"
          f"{'×select':>8}{'cons ms':>9}{'×select':>8}")
    for r in rows:
        print(f"{r['engine']:<11}{r['appends_per_s']:>10.0f}"
              f"{r['append_ratio_to_plain_insert']:>8.2f}{r['proof_leaves']:>10}"
              f"{r['inclusion_ms']:>9.3f}{r['inclusion_ratio_to_pk_select']:>8.1f}"
              f"{r['consistency_ms']:>9.3f}{r['consistency_ratio_to_pk_select']:>8.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "ledger", "measured_at":
                                   datetime.now(UTC).isoformat(timespec="seconds"),
                                   "results": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
