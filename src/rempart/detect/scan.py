"""Batch scans of a platform's backlog on Dask ``distributed``.

The client takes a snapshot of the banks searched (their active entries of every signal type,
packed by the signal type, plus every negative bank), broadcasts it once to the workers, and each
worker builds the signal types' indexes once (cached per snapshot) and matches its partitions.
Images of a folder are decoded through ``rempart.media`` (``safe_image``), never raw PIL.
Results are joined with the bank metadata on the client. The same function runs everything
in-process when no client is given, which is how tests check that a cluster finds exactly the
same matches.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.detect import signal_types
from rempart.detect.banks import BankError, get_bank
from rempart.detect.signal_types import InvalidSignal, SignalIndex
from rempart.store.bank_tables import BankEntry, HashBank

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic"}
OUTPUT_COLUMNS = ["content_id", "signal_type", "signal_value", "bank", "distance",
                  "case_reference", "entry_id"]
_index_cache: dict[str, dict[str, SignalIndex]] = {}


@dataclass
class BankSnapshot:
    token: str
    entries: dict[str, tuple[np.ndarray[Any, np.dtype[np.int64]], Any]]
    # signal type name -> (entry ids, values packed by the signal type)
    radius: int
    meta: dict[int, tuple[str, str, str, int, bool]] = field(default_factory=dict)
    # entry id -> (bank, case reference, content id, bank max distance, negative)


def take_snapshot(session: Session, bank_names: list[str]) -> BankSnapshot:
    wanted = {get_bank(session, name).id for name in bank_names}
    banks = {b.id: b for b in session.scalars(select(HashBank))
             if b.id in wanted or b.kind == "negative"}
    rows = session.execute(select(BankEntry.id, BankEntry.bank_id, BankEntry.signal_type,
                                  BankEntry.hash, BankEntry.case_reference,
                                  BankEntry.content_id)
                           .where(BankEntry.bank_id.in_(banks), BankEntry.status == "active"))
    by_type: dict[str, tuple[list[int], list[str]]] = {}
    meta: dict[int, tuple[str, str, str, int, bool]] = {}
    known = set(signal_types.names())
    for entry_id, bank_id, signal_type, value, case_reference, content_id in rows:
        if signal_type not in known:
            continue
        bank = banks[bank_id]
        meta[entry_id] = (bank.name, case_reference, content_id, bank.max_distance,
                          bank.kind == "negative")
        ids, values = by_type.setdefault(signal_type, ([], []))
        ids.append(entry_id)
        values.append(value)
    entries = {name: (np.array(ids, dtype=np.int64), signal_types.get(name).pack(values))
               for name, (ids, values) in by_type.items()}
    return BankSnapshot(uuid.uuid4().hex, entries,
                        max((b.max_distance for b in banks.values()), default=0), meta)


def _indexes(snapshot: BankSnapshot) -> dict[str, SignalIndex]:
    """Built once per worker process and snapshot, then reused by every partition."""
    if snapshot.token not in _index_cache:
        _index_cache.clear()
        indexes = {}
        for name, (ids, packed) in snapshot.entries.items():
            indexes[name] = signal_types.get(name).new_index()
            indexes[name].add(ids, packed)
        _index_cache[snapshot.token] = indexes
    return _index_cache[snapshot.token]


def hash_images(paths: list[str]) -> pd.DataFrame:
    """Every photo signal type of each image (decoded safely); undecodable files are skipped."""
    rows = []
    for path in paths:
        for signal_type in signal_types.for_content("photo"):
            try:
                hashed = signal_type.hash_file(Path(path))
            except (OSError, ValueError):
                continue  # not a decodable image (UnsafeImage is a ValueError): nothing to match
            rows.append({"content_id": path, "signal_type": signal_type.name,
                         "signal_value": hashed.value, "quality": hashed.quality})
    return pd.DataFrame(rows, columns=["content_id", "signal_type", "signal_value", "quality"])


def match_partition(frame: pd.DataFrame, snapshot: BankSnapshot) -> pd.DataFrame:
    """(row, entry id, distance) for every match of this partition's hashes."""
    indexes = _indexes(snapshot)
    quality = frame["quality"] if "quality" in frame else pd.Series([None] * len(frame))
    by_type: dict[str, tuple[list[int], list[str]]] = {}
    for row, (name, value, q) in enumerate(zip(frame["signal_type"], frame["signal_value"],
                                               quality, strict=True)):
        try:
            signal_type = signal_types.get(str(name))
            value = signal_type.normalise(str(value))
        except InvalidSignal:
            continue  # malformed rows are counted by the caller, never matched
        if signal_type.quality_problem(int(q) if pd.notna(q) else None):
            continue
        rows, values = by_type.setdefault(signal_type.name, ([], []))
        rows.append(row)
        values.append(value)
    hits: list[tuple[int, int, int]] = []
    for name, (rows, values) in by_type.items():
        if name in indexes:
            hits.extend((rows[q], e, d)
                        for q, e, d in indexes[name].search(values, snapshot.radius))
    return _apply_rules(frame, hits, snapshot)


def _apply_rules(frame: pd.DataFrame, hits: list[tuple[int, int, int]],
                 snapshot: BankSnapshot) -> pd.DataFrame:
    kept = [(r, e, d) for r, e, d in hits if d <= snapshot.meta[e][3]]
    negative = {r for r, e, _ in kept if snapshot.meta[e][4]}
    out: list[dict[str, Any]] = []
    ids = frame["content_id"] if "content_id" in frame else pd.Series(frame.index.astype(str))
    for r, e, d in sorted(kept):
        if r in negative:
            continue
        bank, case_reference, content_id, _, _ = snapshot.meta[e]
        out.append({"content_id": str(ids.iloc[r]), "signal_type": frame["signal_type"].iloc[r],
                    "signal_value": str(frame["signal_value"].iloc[r]).strip().lower(),
                    "bank": bank, "distance": d, "case_reference": case_reference,
                    "entry_id": e})
    return pd.DataFrame(out, columns=OUTPUT_COLUMNS)


def input_partitions(path: Path, blocksize: int | str = "32MB") -> list[Any]:
    """Delayed pandas partitions of a CSV/Parquet file of hashes or a folder of images."""
    import dask.dataframe as dd
    from dask.delayed import delayed

    if path.is_dir():
        images = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        chunks = [images[i:i + 64] for i in range(0, len(images), 64)]
        return [delayed(hash_images)(chunk) for chunk in chunks]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        ddf = dd.read_csv(str(path), dtype=str, blocksize=blocksize)
    elif suffix in (".parquet", ".pq"):
        ddf = dd.read_parquet(str(path))
    else:
        raise BankError("scan input must be a .csv or .parquet file or a folder of images")
    missing = {"signal_type", "signal_value"} - set(ddf.columns)
    if missing:
        raise BankError(f"scan input lacks the column(s) {', '.join(sorted(missing))}")
    return list(ddf.to_delayed())


def run_scan(partitions: list[Any], snapshot: BankSnapshot, client: Any = None,
             progress: bool = False) -> pd.DataFrame:
    """Match every partition; on ``client``'s cluster if given, else in this process."""
    from dask.base import compute
    from dask.delayed import delayed

    if client is None:
        loaded = compute(*partitions, scheduler="sync")  # type: ignore[no-untyped-call]
        parts = [match_partition(p, snapshot) for p in loaded]
    else:
        shared = client.scatter(snapshot, broadcast=True)
        tasks = [delayed(match_partition)(p, shared) for p in partitions]
        futures = client.compute(tasks)
        if progress:
            from distributed import progress as show_progress

            show_progress(futures)  # type: ignore[no-untyped-call]
        parts = client.gather(futures)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    return pd.concat(parts, ignore_index=True)
