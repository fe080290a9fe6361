"""``video_md5``: the MD5 of a video file (32 hex digits), exact matches only (StopNCII)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rempart.detect.signal_types.base import Hashed, Hit, IdArray, SignalType
from rempart.detect.signals import parse_md5


class ExactIndex:
    """Exact lookups: value -> entry ids (threatexchange's ``TrivialSignalTypeIndex``)."""

    def __init__(self) -> None:
        self._ids: dict[str, set[int]] = defaultdict(set)
        self._value_of: dict[int, str] = {}

    def add(self, ids: IdArray, packed: Any) -> None:
        for entry_id, value in zip(ids.tolist(), packed, strict=True):
            self._ids[value].add(entry_id)
            self._value_of[entry_id] = value

    def withdraw(self, ids: Sequence[int]) -> None:
        for entry_id in ids:
            if entry_id in self._value_of:
                self._ids[self._value_of.pop(entry_id)].discard(entry_id)

    def search(self, values: Sequence[str], radius: int, threads: int = 1) -> list[Hit]:
        return [(row, entry_id, 0) for row, value in enumerate(values)
                for entry_id in sorted(self._ids.get(value, ()))]


class VideoMd5Signal(SignalType):
    name = "video_md5"
    content = "video"

    def normalise(self, text: str) -> str:
        return parse_md5(text)

    def distance(self, a: str, b: str) -> int:
        return 0 if a == b else 1

    def new_index(self) -> ExactIndex:
        return ExactIndex()

    def hash_file(self, path: Path) -> Hashed:
        from rempart.media import video

        return Hashed(video.file_md5(path))
