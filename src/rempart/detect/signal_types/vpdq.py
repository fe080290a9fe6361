"""``vpdq``: a video as PDQ hashes of one frame a second (``pdq_hex,quality,timestamp`` triples).

Matched with HMA's rule (``vpdq_match``): enough of the query's frames within 31 bits of some
frame of a bank video. The distance reported is the smallest frame distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rempart.detect.signal_types.base import Hashed, Hit, IdArray, SignalType
from rempart.detect.signals import format_vpdq, parse_vpdq, pdq_distance
from rempart.detect.vpdq_match import VpdqIndex


class VpdqSignalIndex:
    def __init__(self) -> None:
        self.videos = VpdqIndex()

    def add(self, ids: IdArray, packed: Any) -> None:
        for entry_id, value in zip(ids.tolist(), packed, strict=True):
            self.videos.add(entry_id, parse_vpdq(value))

    def withdraw(self, ids: Sequence[int]) -> None:
        for entry_id in ids:
            self.videos.withdraw(entry_id)

    def search(self, values: Sequence[str], radius: int, threads: int = 1) -> list[Hit]:
        return [(row, m.entry_id, m.distance) for row, value in enumerate(values)
                for m in self.videos.match(parse_vpdq(value))]


class VpdqSignal(SignalType):
    name = "vpdq"
    content = "video"

    def normalise(self, text: str) -> str:
        return format_vpdq(parse_vpdq(text))

    def distance(self, a: str, b: str) -> int:
        """Smallest distance between a frame of ``a`` and a frame of ``b``."""
        return min(pdq_distance(x.pdq, y.pdq) for x in parse_vpdq(a) for y in parse_vpdq(b))

    def new_index(self) -> VpdqSignalIndex:
        return VpdqSignalIndex()

    def hash_file(self, path: Path) -> Hashed:
        from rempart.detect.signals import VpdqFrame
        from rempart.media import video

        frames = [VpdqFrame(f.pdq, f.quality, f.timestamp) for f in video.vpdq_frames(path)]
        return Hashed(format_vpdq(frames))
