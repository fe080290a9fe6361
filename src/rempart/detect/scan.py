"""Batch scans of a platform's backlog on Dask ``distributed``.

The client takes a snapshot of the banks searched (active PDQ, MD5 and vPDQ entries, plus every
negative bank), broadcasts it once to the workers, and each worker builds the exact PDQ index
once (cached per snapshot) and matches its partitions. Results are joined with the bank
metadata on the client. The same function runs everything in-process when no client is given,
which is how tests check that a cluster finds exactly the same matches.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.detect.banks import BankError, get_bank
from rempart.detect.pdq_index import PDQIndex
from rempart.detect.signals import (
    PDQ_MIN_QUALITY,
    InvalidSignal,
    SignalType,
    normalise,
    parse_vpdq,
    pdq_to_words,
)
from rempart.detect.vpdq_match import VpdqIndex
from rempart.store.bank_tables import BankEntry, HashBank

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic"}
OUTPUT_COLUMNS = ["content_id", "signal_type", "signal_value", "bank", "distance",
                  "case_reference", "entry_id"]
_index_cache: dict[str, tuple[PDQIndex, VpdqIndex]] = {}


@dataclass
class BankSnapshot:
    token: str
    pdq_words: npt.NDArray[np.uint64]
    pdq_ids: npt.NDArray[np.int64]
    md5: dict[str, list[int]]
    vpdq: list[tuple[int, str]]
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
    pdq_ids, pdq_hashes, vpdq = [], [], []
    md5: dict[str, list[int]] = {}
    meta: dict[int, tuple[str, str, str, int, bool]] = {}
    for entry_id, bank_id, signal_type, value, case_reference, content_id in rows:
        bank = banks[bank_id]
        meta[entry_id] = (bank.name, case_reference, content_id, bank.max_distance,
                          bank.kind == "negative")
        if signal_type == SignalType.PDQ:
            pdq_ids.append(entry_id)
            pdq_hashes.append(value)
        elif signal_type == SignalType.VIDEO_MD5:
            md5.setdefault(value, []).append(entry_id)
        else:
            vpdq.append((entry_id, value))
    return BankSnapshot(uuid.uuid4().hex, pdq_to_words(pdq_hashes),
                        np.array(pdq_ids, dtype=np.int64), md5, vpdq,
                        max((b.max_distance for b in banks.values()), default=0), meta)


def _indexes(snapshot: BankSnapshot) -> tuple[PDQIndex, VpdqIndex]:
    """Built once per worker process and snapshot, then reused by every partition."""
    if snapshot.token not in _index_cache:
        _index_cache.clear()
        vpdq = VpdqIndex()
        for entry_id, frames in snapshot.vpdq:
            vpdq.add(entry_id, parse_vpdq(frames))
        _index_cache[snapshot.token] = (PDQIndex(snapshot.pdq_words, snapshot.pdq_ids), vpdq)
    return _index_cache[snapshot.token]


def hash_image_file(path: str) -> tuple[str, int]:
    """PDQ hex and quality of an image file, as threatexchange's ``pdq_from_file`` computes it."""
    import pdqhash
    from PIL import Image

    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"))
    bits, quality = pdqhash.compute(rgb)
    return f"{int(''.join(str(int(b)) for b in bits), 2):064x}", int(quality)


def hash_images(paths: list[str]) -> pd.DataFrame:
    rows = []
    for path in paths:
        try:
            value, quality = hash_image_file(path)
        except (OSError, ValueError):
            continue  # not a decodable image: nothing to match
        rows.append({"content_id": path, "signal_type": "pdq", "signal_value": value,
                     "quality": quality})
    return pd.DataFrame(rows, columns=["content_id", "signal_type", "signal_value", "quality"])


def match_partition(frame: pd.DataFrame, snapshot: BankSnapshot) -> pd.DataFrame:
    """(row, entry id, distance) for every match of this partition's hashes."""
    pdq_index, vpdq_index = _indexes(snapshot)
    hits: list[tuple[int, int, int]] = []
    pdq_rows, pdq_values = [], []
    quality = frame["quality"] if "quality" in frame else pd.Series([None] * len(frame))
    for row, (signal_type, value, q) in enumerate(zip(frame["signal_type"],
                                                      frame["signal_value"], quality,
                                                      strict=True)):
        try:
            kind = SignalType.parse(str(signal_type))
            value = normalise(kind, str(value))
        except InvalidSignal:
            continue  # malformed rows are counted by the caller, never matched
        if kind is SignalType.PDQ and not (pd.notna(q) and int(q) < PDQ_MIN_QUALITY):
            pdq_rows.append(row)
            pdq_values.append(value)
        elif kind is SignalType.VIDEO_MD5:
            hits.extend((row, e, 0) for e in snapshot.md5.get(value, ()))
        elif kind is SignalType.VPDQ:
            hits.extend((row, m.entry_id, m.distance)
                        for m in vpdq_index.match(parse_vpdq(value)))
    if pdq_rows:
        found = pdq_index.search(pdq_to_words(pdq_values), snapshot.radius)
        hits.extend((pdq_rows[q], e, d) for q, e, d in zip(
            found.query.tolist(), found.ids.tolist(), found.distance.tolist(), strict=True))
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
