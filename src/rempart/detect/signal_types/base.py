"""What a signal type is: parse and normalise a hash, measure a distance, index, hash a file.

As in python-threatexchange's ``signal_type.signal_base.SignalType`` (``get_name``,
``validate_signal_str``, ``compare_hash``, ``get_index_cls``, ``FileHasher.hash_from_file``),
each signal type is one class, and nothing outside its module looks at its name: banks, the
index, matching and scans call these methods on the type the registry (``signal_types``)
returns for a name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from rempart.detect.signals import InvalidSignal

__all__ = ["Hashed", "Hit", "InvalidSignal", "SignalIndex", "SignalType"]

Hit = tuple[int, int, int]  # (query row, entry id, distance)
IdArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Hashed:
    """A file's hash in a signal type's canonical text, with its quality when it has one."""

    value: str
    quality: int | None = None


class SignalIndex(Protocol):
    """Every active bank entry of one signal type, in this process (see ``bank_index``)."""

    def add(self, ids: IdArray, packed: Any) -> None:
        """Add entries: their ids and their values as ``SignalType.pack`` returned them."""

    def withdraw(self, ids: Sequence[int]) -> None: ...

    def search(self, values: Sequence[str], radius: int, threads: int = 1) -> list[Hit]:
        """Hits of normalised query values within ``radius`` (the widest bank distance)."""


class SignalType(ABC):
    name: ClassVar[str]  # threatexchange's name, as stored in banks and exchanged in files
    content: ClassVar[str]  # what ``hash_file`` reads: "photo" or "video"

    @abstractmethod
    def normalise(self, text: str) -> str:
        """The canonical text of a hash (validated); raises ``InvalidSignal``."""

    @abstractmethod
    def distance(self, a: str, b: str) -> int:
        """Distance between two normalised hashes (0: identical)."""

    @abstractmethod
    def new_index(self) -> SignalIndex: ...

    @abstractmethod
    def hash_file(self, path: Path) -> Hashed:
        """Hash an untrusted file (decoded through ``rempart.media``); raises ValueError."""

    def quality_problem(self, quality: int | None) -> str:
        """Why a hash of this quality must be neither stored nor matched ("" if none)."""
        return ""

    def pack(self, values: Sequence[str]) -> Any:
        """Normalised values in the form the index adds and a scan ships to its workers."""
        return list(values)

    def join(self, packs: Sequence[Any]) -> Any:
        """Several packs as one (a first load adds every batch at once)."""
        return [value for pack in packs for value in pack]
