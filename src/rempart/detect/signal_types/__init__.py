"""The registry of signal types: the one place that lists them.

Adding a signal type is one module in this package (a ``SignalType`` subclass and its index)
and one line in ``REGISTERED``; banks, imports, the index, matching and scans pick it up.
"""

from __future__ import annotations

from rempart.detect.signal_types.base import Hashed, Hit, SignalIndex, SignalType
from rempart.detect.signal_types.md5 import VideoMd5Signal
from rempart.detect.signal_types.pdq import PdqSignal
from rempart.detect.signal_types.vpdq import VpdqSignal
from rempart.detect.signals import InvalidSignal

__all__ = ["REGISTERED", "Hashed", "Hit", "InvalidSignal", "SignalIndex", "SignalType", "get",
           "names", "for_content"]

REGISTERED: tuple[SignalType, ...] = (
    PdqSignal(),
    VpdqSignal(),
    VideoMd5Signal(),
)
_BY_NAME = {signal_type.name: signal_type for signal_type in REGISTERED}


def names() -> list[str]:
    return [signal_type.name for signal_type in REGISTERED]


def get(name: str) -> SignalType:
    """The signal type of this name (case and spaces ignored); raises ``InvalidSignal``."""
    found = _BY_NAME.get(name.strip().lower())
    if found is None:
        raise InvalidSignal(f"unknown signal type {name!r} ({', '.join(names())})")
    return found


def for_content(content: str) -> list[SignalType]:
    """The signal types that hash this kind of file ("photo", "video")."""
    return [signal_type for signal_type in REGISTERED if signal_type.content == content]
