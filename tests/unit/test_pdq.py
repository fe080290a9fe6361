import io

import numpy as np
import pdqhash
import pytest
from PIL import Image, ImageDraw

from rempart.media import pdq


def photo_like(seed: int, size: tuple[int, int] = (1024, 768)) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * rng.uniform(0.1, 0.3) + y * rng.uniform(0.1, 0.3) + rng.uniform(0, 80))
                     % 255 for _ in range(3)], axis=-1)
    base += rng.normal(0, 12, base.shape)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(8):
        x0, y0 = int(rng.integers(0, w - 50)), int(rng.integers(0, h - 50))
        box = (x0, y0, x0 + int(rng.integers(30, w // 2)), y0 + int(rng.integers(30, h // 2)))
        draw.ellipse(box, fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    return img


def jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def reference(data: bytes) -> tuple[str, int]:
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    vector, quality = pdqhash.compute(pixels)
    return pdq.bits_to_hex(vector), int(quality)


@pytest.mark.parametrize("seed", range(3))
def test_it_equals_pdqhash_in_exact_mode(seed: int) -> None:
    data = jpeg(photo_like(seed))
    result = pdq.hash_image(data)
    assert (result.hash, result.quality) == reference(data)
    assert result.usable


def test_it_formats_hex_most_significant_bit_first() -> None:
    bits = np.zeros(256, dtype=np.uint8)
    bits[0] = 1
    assert pdq.bits_to_hex(bits) == "8" + "0" * 63


def test_it_gives_eight_dihedral_variants_matching_pdqhash() -> None:
    data = jpeg(photo_like(7, (400, 300)))
    result = pdq.hash_image(data, dihedral=True)
    vectors, _ = pdqhash.compute_dihedral(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    assert result.dihedral is not None and len(result.dihedral) == 8
    assert list(result.dihedral.values()) == [pdq.bits_to_hex(v) for v in vectors]
    assert result.dihedral["r0"] == result.hash


def test_it_matches_the_rotated_image_through_a_dihedral_variant() -> None:
    img = photo_like(8, (400, 300))
    variants = pdq.hash_image(png(img), dihedral=True).dihedral
    rotated = pdq.hash_image(png(img.transpose(Image.Transpose.ROTATE_180))).hash
    assert variants is not None
    # The Jarosz box filters are not exactly symmetric: a few bits differ, far below 31.
    assert pdq.hamming(rotated, variants["r180"]) <= 31 < pdq.hamming(rotated, variants["r0"])


def test_it_flags_a_flat_image_as_unusable() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), (120, 120, 120)).save(buf, "PNG")
    result = pdq.hash_image(buf.getvalue())
    assert result.quality < pdq.MIN_QUALITY and not result.usable


def test_it_keeps_the_fast_path_within_a_few_bits() -> None:
    distances = []
    for seed in range(6):
        data = jpeg(photo_like(100 + seed, (2048, 1536)))
        distances.append(pdq.hamming(pdq.hash_image(data, fast=True).hash, reference(data)[0]))
    assert max(distances) <= 16 and sum(distances) / len(distances) <= 8


def test_it_hashes_pngs_identically_in_fast_mode() -> None:
    buf = io.BytesIO()
    photo_like(3, (600, 400)).save(buf, "PNG")
    assert pdq.hash_image(buf.getvalue(), fast=True) == pdq.hash_image(buf.getvalue())


@pytest.mark.parametrize("seed", range(3))
def test_it_reproduces_pdqhash_from_luma_with_its_own_arithmetic(seed: int) -> None:
    pixels = np.asarray(photo_like(200 + seed, (700 + 37 * seed, 500)))
    luma = (pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114)
    vector, quality = pdqhash.compute(pixels)
    result = pdq.hash_luma(luma.astype(np.float32))
    assert pdq.hamming(result.hash, pdq.bits_to_hex(vector)) <= 2  # float rounding only
    assert abs(result.quality - quality) <= 1
