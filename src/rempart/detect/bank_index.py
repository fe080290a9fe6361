"""The in-process view of every bank, refreshed from the database's change sequence.

Each server process keeps its own ``BankIndex``: a first ``refresh`` loads every active entry,
later ones read only the rows stamped ``last < change_seq <= current`` (see
``store/bank_tables.py``), so an add is searchable within one polling interval and nothing is
rebuilt whole. Readers never lock: the PDQ index swaps its state atomically. Withdrawals are also
checked against the database when results are read, so they take effect at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rempart.detect import signal_types
from rempart.detect.signal_types import Hit, SignalIndex
from rempart.store.bank_tables import BankEntry, BankSequence

LOAD_BATCH = 200_000


class BankIndex:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory
        self.indexes: dict[str, SignalIndex] = {
            t.name: t.new_index() for t in signal_types.REGISTERED}
        self.sequence = -1
        self._refresh_lock = threading.Lock()
        self._poller: threading.Thread | None = None
        self._stop = threading.Event()

    def refresh(self) -> int:
        """Apply the changes committed since the last refresh; returns how many rows were read."""
        with self._refresh_lock, self._sessions() as session:
            current = session.scalar(select(BankSequence.value).where(BankSequence.id == 1)) or 0
            if current == self.sequence:
                return 0
            query = (select(BankEntry.id, BankEntry.signal_type, BankEntry.hash, BankEntry.status)
                     .where(BankEntry.change_seq > self.sequence,
                            BankEntry.change_seq <= current)
                     .order_by(BankEntry.id)
                     .execution_options(yield_per=LOAD_BATCH))
            seen = 0
            added: dict[str, list[tuple[list[int], Any]]] = {}
            gone: dict[str, list[int]] = {}
            for rows in session.execute(query).partitions():
                self._collect(rows, added, gone)
                seen += len(rows)
            # One add per type for the whole batch: the first load builds each index once.
            for name, parts in added.items():
                signal_type = signal_types.get(name)
                ids = np.array([i for part_ids, _ in parts for i in part_ids], dtype=np.int64)
                self.indexes[name].add(ids, signal_type.join([p for _, p in parts]))
            for name, entry_ids in gone.items():
                self.indexes[name].withdraw(entry_ids)
            self.sequence = current
            return seen

    @staticmethod
    def _collect(rows: Sequence[Any], added: dict[str, list[tuple[list[int], Any]]],
                 gone: dict[str, list[int]]) -> None:
        """Pack this partition's active rows per signal type; collect the withdrawn ones."""
        fresh: dict[str, tuple[list[int], list[str]]] = {}
        known = set(signal_types.names())
        for entry_id, name, hash_text, status in rows:
            if name not in known:
                continue  # a type this version does not know: never matched
            if status != "active":
                gone.setdefault(name, []).append(entry_id)
            else:
                ids, values = fresh.setdefault(name, ([], []))
                ids.append(entry_id)
                values.append(hash_text)
        for name, (ids, values) in fresh.items():
            added.setdefault(name, []).append((ids, signal_types.get(name).pack(values)))

    def search(self, signal_type: str, values: list[str], radius: int,
               threads: int = 1) -> list[Hit]:
        """Hits (query row, entry id, distance) of normalised values of one signal type."""
        return self.indexes[signal_types.get(signal_type).name].search(values, radius, threads)

    def start_polling(self, interval: float = 0.25) -> None:
        """Refresh in a daemon thread (adds visible within ``interval`` seconds)."""
        if self._poller is not None:
            return
        self._poller = threading.Thread(target=self._poll, args=(interval,), daemon=True,
                                        name="bank-index-refresh")
        self._poller.start()

    def _poll(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a transient DB error must not stop refreshing
                time.sleep(interval)

    def stop(self) -> None:
        self._stop.set()
