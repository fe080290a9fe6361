"""Hash text formats and PDQ arithmetic shared by the signal types (``signal_types/``).

Text formats follow python-threatexchange (``threatexchange.signal_type``): a PDQ hash is 64 hex
digits (256 bits), a video MD5 is 32 hex digits, and a vPDQ hash is a list of frame hashes,
serialised as comma-separated ``pdq_hex,quality,timestamp`` triples like their ``VPDQFeature``
text form. Parsing is strict: malformed input raises ``InvalidSignal``. Which parser applies to
which name is the registry's business (``rempart.detect.signal_types.get``), not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PDQ_BITS = 256
PDQ_MAX_DISTANCE = 31  # HMA's confident-match threshold; no bank goes above it by default
PDQ_MIN_QUALITY = 50  # below this, HMA and the reference hasher call the hash unusable
VPDQ_FRAME_DISTANCE = 31
VPDQ_MATCH_SHARE = 0.8  # share of the query's frames that must match (HMA default 80 %)

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX32 = re.compile(r"[0-9a-f]{32}")


class InvalidSignal(ValueError):
    """A hash that is not a valid value of its signal type."""


@dataclass(frozen=True)
class VpdqFrame:
    pdq: str
    quality: int
    timestamp: float


def parse_pdq(text: str) -> str:
    value = text.strip().lower()
    if not _HEX64.fullmatch(value):
        raise InvalidSignal("a PDQ hash is 64 hexadecimal digits")
    return value


def parse_md5(text: str) -> str:
    value = text.strip().lower()
    if not _HEX32.fullmatch(value):
        raise InvalidSignal("an MD5 hash is 32 hexadecimal digits")
    return value


def parse_vpdq(text: str) -> list[VpdqFrame]:
    """``hex,quality,timestamp[,hex,quality,timestamp...]`` (threatexchange's vPDQ text form)."""
    parts = [p.strip() for p in text.strip().split(",")]
    if not parts or len(parts) % 3:
        raise InvalidSignal("a vPDQ hash is a list of pdq_hex,quality,timestamp triples")
    frames = []
    for i in range(0, len(parts), 3):
        try:
            quality, timestamp = int(parts[i + 1]), float(parts[i + 2])
        except ValueError:
            raise InvalidSignal("vPDQ quality and timestamp must be numbers") from None
        if not 0 <= quality <= 100 or not timestamp >= 0:
            raise InvalidSignal("vPDQ quality is 0-100 and timestamps are positive")
        frames.append(VpdqFrame(parse_pdq(parts[i]), quality, timestamp))
    return frames


def format_vpdq(frames: list[VpdqFrame]) -> str:
    return ",".join(f"{f.pdq},{f.quality},{f.timestamp:.3f}" for f in frames)


def pdq_to_words(hexes: list[str]) -> npt.NDArray[np.uint64]:
    """PDQ hex strings as an (n, 4) array of 64-bit words (the index's layout)."""
    if not hexes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = bytes.fromhex("".join(hexes))
    return np.frombuffer(raw, dtype=np.uint64).reshape(-1, 4).copy()


def words_to_pdq(words: npt.NDArray[np.uint64]) -> list[str]:
    raw = np.ascontiguousarray(words, dtype=np.uint64).tobytes()
    return [raw[i : i + 32].hex() for i in range(0, len(raw), 32)]


def pdq_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
