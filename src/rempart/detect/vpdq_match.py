"""vPDQ video matching with HMA's rule.

A query video matches a bank video when enough of the query's frames each have some bank frame
within ``VPDQ_FRAME_DISTANCE`` (31) bits: the share of matched query frames must reach
``VPDQ_MATCH_SHARE`` (80 %), as in HMA's ``VPDQ_PERCENTAGE_THRESHOLD`` defaults. Frames under
quality 50 are ignored on both sides (the vpdq library's ``quality_tolerance``). Frame lookups go
through the exact PDQ index, so long banks of videos are searched without a pairwise scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rempart.detect.pdq_index import LivePDQIndex
from rempart.detect.signals import (
    PDQ_MIN_QUALITY,
    VPDQ_FRAME_DISTANCE,
    VPDQ_MATCH_SHARE,
    VpdqFrame,
    pdq_to_words,
)

FRAME_BITS = 20  # frame ids in the index are entry_id << 20 | frame number


@dataclass(frozen=True)
class VpdqMatch:
    entry_id: int
    query_share: float  # share of the query's usable frames matched
    bank_share: float  # share of the bank video's usable frames matched
    distance: int  # smallest frame distance seen


def usable_frames(frames: list[VpdqFrame], min_quality: int = PDQ_MIN_QUALITY) -> list[str]:
    """Distinct frame hashes of sufficient quality (repeated still frames count once)."""
    return sorted({f.pdq for f in frames if f.quality >= min_quality})


class VpdqIndex:
    """Frames of every bank video in one exact PDQ index, with per-video frame counts."""

    def __init__(self) -> None:
        self._frames = LivePDQIndex()
        self._frame_counts: dict[int, int] = {}

    def add(self, entry_id: int, frames: list[VpdqFrame]) -> None:
        hashes = usable_frames(frames)[: 1 << FRAME_BITS]
        if not hashes:
            return
        self._frame_counts[entry_id] = len(hashes)
        ids = (entry_id << FRAME_BITS) + np.arange(len(hashes), dtype=np.int64)
        self._frames.add(pdq_to_words(hashes), ids)

    def withdraw(self, entry_id: int) -> None:
        count = self._frame_counts.pop(entry_id, 0)
        if count:
            self._frames.withdraw((entry_id << FRAME_BITS) + np.arange(count, dtype=np.int64))

    def match(self, frames: list[VpdqFrame], share: float = VPDQ_MATCH_SHARE,
              frame_distance: int = VPDQ_FRAME_DISTANCE) -> list[VpdqMatch]:
        hashes = usable_frames(frames)
        if not hashes:
            return []
        found = self._frames.search(pdq_to_words(hashes), frame_distance)
        entries = found.ids >> FRAME_BITS
        matches = []
        for entry_id in np.unique(entries).tolist():
            mine = entries == entry_id
            query_share = len(np.unique(found.query[mine])) / len(hashes)
            bank_count = self._frame_counts.get(entry_id, 0)
            if query_share >= share and bank_count:
                bank_share = len(np.unique(found.ids[mine])) / bank_count
                matches.append(VpdqMatch(entry_id, query_share, bank_share,
                                         int(found.distance[mine].min())))
        return matches
