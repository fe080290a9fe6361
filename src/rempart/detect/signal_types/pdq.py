"""``pdq``: 256-bit perceptual hashes of photos (64 hex digits), Hamming distance.

Indexed by the exact multi-index ``LivePDQIndex``; values are packed as (n, 4) uint64 words, the
index's own layout, so a scan ships 32 bytes a hash to its workers. Hashes under quality 50 are
neither stored nor matched (HMA and the reference hasher call them unusable).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rempart.detect.pdq_index import LivePDQIndex
from rempart.detect.signal_types.base import Hashed, Hit, IdArray, SignalType
from rempart.detect.signals import PDQ_MIN_QUALITY, parse_pdq, pdq_distance, pdq_to_words


class PdqIndex:
    def __init__(self) -> None:
        self.live = LivePDQIndex()

    def add(self, ids: IdArray, packed: Any) -> None:
        if len(ids):
            self.live.add(packed, ids)

    def withdraw(self, ids: Sequence[int]) -> None:
        if len(ids):
            self.live.withdraw(list(ids))

    def search(self, values: Sequence[str], radius: int, threads: int = 1) -> list[Hit]:
        found = self.live.search(pdq_to_words(list(values)), radius, threads)
        return list(zip(found.query.tolist(), found.ids.tolist(), found.distance.tolist(),
                        strict=True))


class PdqSignal(SignalType):
    name = "pdq"
    content = "photo"

    def normalise(self, text: str) -> str:
        return parse_pdq(text)

    def distance(self, a: str, b: str) -> int:
        return pdq_distance(a, b)

    def new_index(self) -> PdqIndex:
        return PdqIndex()

    def hash_file(self, path: Path) -> Hashed:
        from rempart.media import pdq

        result = pdq.hash_image(path)  # safe_image: format allow-list, pixel budget, EXIF
        return Hashed(result.hash, result.quality)

    def quality_problem(self, quality: int | None) -> str:
        if quality is not None and not PDQ_MIN_QUALITY <= quality <= 100:
            return f"PDQ quality {quality} is under {PDQ_MIN_QUALITY}: not reliable" \
                if quality < PDQ_MIN_QUALITY else "PDQ quality is 0-100"
        return ""

    def pack(self, values: Sequence[str]) -> Any:
        return pdq_to_words(list(values))

    def join(self, packs: Sequence[Any]) -> Any:
        return np.concatenate(packs) if packs else pdq_to_words([])
