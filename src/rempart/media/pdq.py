"""PDQ perceptual hashes of images, through the reference ``pdqhash`` bindings.

Exact mode hashes the fully decoded image, as ``pdqhash.compute`` would on the same pixels. The
fast mode (JPEG only) asks the decoder for the luma plane alone at a reduced scale (``draft``: the
DCT is decoded at 1/2, 1/4 or 1/8 and chroma is skipped) near 512 px, since the reference C++
hasher resizes to 512×512 anyway, then runs the PDQ arithmetic itself: the two Jarosz box-filter
passes and the 64×64 decimation are linear, so they are one precomputed 64×n matrix per axis
(``A = R·Y·Cᵀ``), followed by the reference's quality metric, 16×16 DCT and median threshold.
On full-size RGB luma it gives pdqhash's exact hash and quality (tested); with the reduced decode
the hash moves by a few bits (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image
from threadpoolctl import ThreadpoolController

from rempart.media.safe_image import DecodeLimits, finish_decode, open_image

MIN_QUALITY = 50  # below this, HMA and StopNCII treat a PDQ hash as unusable
FAST_TARGET_SIDE = 512
_DCT16 = (np.sqrt(2 / 64) * np.cos(np.pi / 2 / 64 * np.outer(
    np.arange(1, 17), 2 * np.arange(64) + 1))).astype(np.float32)  # DC row left out, as PDQ does
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


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


@lru_cache(maxsize=64)
def jarosz_sampler(length: int) -> npt.NDArray[np.float32]:
    """The 64×length matrix of two reference box-filter passes followed by the decimation."""
    full = (length + 127) // 128  # computeJaroszFilterWindowSize(length, 64)
    half = (full + 2) // 2
    box = np.zeros((length, length))
    for i in range(length):  # box1DFloat: windows shrink at both edges
        low, high = max(0, i - (full - half)), min(length - 1, i + half - 1)
        box[i, low:high + 1] = 1.0 / (high - low + 1)
    picks = ((np.arange(64) + 0.5) * length / 64).astype(int)
    return np.ascontiguousarray((box[picks] @ box).astype(np.float32))


def hash_luma(luma: npt.NDArray[np.float32]) -> PdqResult:
    """PDQ of a luminance plane (0-255 floats), following pdqhashing.cpp step by step."""
    rows, cols = luma.shape
    with _blas().limit(limits=1, user_api="blas"):  # tiny products: threads only add waiting
        small = jarosz_sampler(rows) @ luma @ jarosz_sampler(cols).T
        coefficients = (_DCT16 @ small @ _DCT16.T).ravel()
    gradients = (np.abs(np.trunc((small[:-1] - small[1:]) * 100 / 255)).sum()
                 + np.abs(np.trunc((small[:, :-1] - small[:, 1:]) * 100 / 255)).sum())
    median = np.sort(coefficients)[127]  # Torben's median of 256 values: the lower middle
    bits = (coefficients > median)[::-1]  # bit k is coefficient k; hex starts at bit 255
    return PdqResult(bits_to_hex(bits), min(100, int(gradients // 90)))


def _fast_jpeg(img: Image.Image) -> PdqResult:
    scale = FAST_TARGET_SIDE / max(img.size)
    img.draft("L", (round(img.width * scale), round(img.height * scale)) if scale < 1
              else img.size)
    return hash_luma(np.asarray(finish_decode(img, mode="L"), dtype=np.float32))


def rgb_array(source: Path | str | bytes | BinaryIO,
              limits: DecodeLimits = DecodeLimits()) -> npt.NDArray[np.uint8]:
    """Decode safely to an H×W×3 uint8 array."""
    img = open_image(source, limits)
    try:
        return np.asarray(finish_decode(img), dtype=np.uint8)
    finally:
        img.close()


def hash_array(pixels: npt.NDArray[np.uint8], dihedral: bool = False) -> PdqResult:
    if dihedral:
        vectors, quality = pdqhash.compute_dihedral(pixels)
        variants = {name: bits_to_hex(v) for name, v in zip(DIHEDRAL_NAMES, vectors, strict=True)}
        return PdqResult(variants["r0"], int(quality), variants)
    vector, quality = pdqhash.compute(pixels)
    return PdqResult(bits_to_hex(vector), int(quality))


def hash_image(source: Path | str | bytes | BinaryIO, dihedral: bool = False,
               fast: bool = False) -> PdqResult:
    """PDQ hash and quality of an untrusted image (raises ``UnsafeImage`` on bad input).

    ``fast`` applies to JPEGs without ``dihedral``; other images are hashed exactly.
    """
    if fast and not dihedral:
        img = open_image(source)
        try:
            if img.format == "JPEG":
                return _fast_jpeg(img)
            return hash_array(np.asarray(finish_decode(img), dtype=np.uint8))
        finally:
            img.close()
    return hash_array(rgb_array(source), dihedral)
