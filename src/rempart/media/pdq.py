"""PDQ perceptual hashes of images, through the reference ``pdqhash`` bindings.

Exact mode hashes the fully decoded image, as ``pdqhash.compute`` would on the same pixels. The
fast mode asks the JPEG decoder for a reduced scale (``draft``: the DCT is decoded at 1/2, 1/4 or
1/8, so most of the decode work is skipped) near 512 px, because the reference C++ hasher resizes
to 512×512 before hashing anyway; the hash moves by a few bits only (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pdqhash

from rempart.media.safe_image import DecodeLimits, finish_decode, open_image

MIN_QUALITY = 50  # below this, HMA and StopNCII treat a PDQ hash as unusable
FAST_TARGET_SIDE = 512
DIHEDRAL_NAMES = ("r0", "r90", "r180", "r270", "flipx", "flipy", "flipplus", "flipminus")


@dataclass(frozen=True)
class PdqResult:
    hash: str  # 64 hex digits, most significant bit first (ThreatExchange convention)
    quality: int
    dihedral: dict[str, str] | None = None

    @property
    def usable(self) -> bool:
        return self.quality >= MIN_QUALITY


def bits_to_hex(bits: npt.NDArray[np.generic]) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def rgb_array(source: Path | str | bytes | BinaryIO, fast: bool = False,
              limits: DecodeLimits = DecodeLimits()) -> npt.NDArray[np.uint8]:
    """Decode safely to an H×W×3 uint8 array; ``fast`` decodes JPEGs at reduced scale."""
    with open_image(source, limits) as img:
        if fast and img.format == "JPEG":
            # draft keeps the image at least this size, picking the largest power-of-2 reduction.
            img.draft("RGB", (FAST_TARGET_SIDE, FAST_TARGET_SIDE))
        return np.asarray(finish_decode(img), dtype=np.uint8)


def hash_array(pixels: npt.NDArray[np.uint8], dihedral: bool = False) -> PdqResult:
    if dihedral:
        vectors, quality = pdqhash.compute_dihedral(pixels)
        variants = {name: bits_to_hex(v) for name, v in zip(DIHEDRAL_NAMES, vectors, strict=True)}
        return PdqResult(variants["r0"], int(quality), variants)
    vector, quality = pdqhash.compute(pixels)
    return PdqResult(bits_to_hex(vector), int(quality))


def hash_image(source: Path | str | bytes | BinaryIO, dihedral: bool = False,
               fast: bool = False) -> PdqResult:
    """PDQ hash and quality of an untrusted image (raises ``UnsafeImage`` on bad input)."""
    return hash_array(rgb_array(source, fast), dihedral)
