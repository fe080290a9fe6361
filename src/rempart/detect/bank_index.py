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
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rempart.detect.pdq_index import LivePDQIndex, Matches
from rempart.detect.signals import SignalType, VpdqFrame, parse_vpdq, pdq_to_words
from rempart.detect.vpdq_match import VpdqIndex, VpdqMatch
from rempart.store.bank_tables import BankEntry, BankSequence

LOAD_BATCH = 200_000


class BankIndex:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory
        self.pdq = LivePDQIndex()
        self.vpdq = VpdqIndex()
        self._md5: dict[str, set[int]] = defaultdict(set)
        self._md5_of: dict[int, str] = {}
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
            seen, added = 0, []
            gone: list[tuple[int, str]] = []
            for rows in session.execute(query).partitions():
                added.append(self._apply(rows, gone))
                seen += len(rows)
            # One add for the whole batch: the first load builds the index once, not per batch.
            words = [w for w, _ in added if len(w)]
            if words:
                self.pdq.add(np.concatenate(words), np.concatenate([i for w, i in added
                                                                    if len(w)]))
            self.pdq.withdraw([e for e, kind in gone if kind == SignalType.PDQ])
            for entry_id, signal_type in gone:
                self._forget(entry_id, signal_type)
            self.sequence = current
            return seen

    def _apply(self, rows: Sequence[Any], gone: list[tuple[int, str]]
               ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Index MD5 and vPDQ rows now; return the PDQ rows to add, collect withdrawals."""
        pdq_ids, pdq_hashes = [], []
        for entry_id, signal_type, hash_text, status in rows:
            if status != "active":
                gone.append((entry_id, signal_type))
            elif signal_type == SignalType.PDQ:
                pdq_ids.append(entry_id)
                pdq_hashes.append(hash_text)
            elif signal_type == SignalType.VIDEO_MD5:
                self._md5[hash_text].add(entry_id)
                self._md5_of[entry_id] = hash_text
            elif signal_type == SignalType.VPDQ:
                self.vpdq.add(entry_id, parse_vpdq(hash_text))
        return pdq_to_words(pdq_hashes), np.array(pdq_ids, dtype=np.int64)

    def _forget(self, entry_id: int, signal_type: str) -> None:
        """Withdraw a vPDQ or MD5 entry (PDQ entries are withdrawn in one batch)."""
        if signal_type == SignalType.VPDQ:
            self.vpdq.withdraw(entry_id)
        elif entry_id in self._md5_of:
            self._md5[self._md5_of.pop(entry_id)].discard(entry_id)

    def search_pdq(self, hashes: list[str], radius: int, threads: int = 1) -> Matches:
        return self.pdq.search(pdq_to_words(hashes), radius, threads)

    def search_md5(self, md5: str) -> set[int]:
        return set(self._md5.get(md5, ()))

    def search_vpdq(self, frames: list[VpdqFrame]) -> list[VpdqMatch]:
        return self.vpdq.match(frames)

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
