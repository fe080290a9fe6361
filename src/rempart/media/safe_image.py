"""The only place where untrusted image bytes are decoded.

Pillow decodes with a pixel budget (decompression bombs raise instead of warning), an explicit
format allow-list (Pillow would otherwise try every plugin it has, including rarely audited ones),
a maximum side length, EXIF orientation applied, HEIC through pillow-heif, and only the first
frame of animated GIF/WEBP. Every failure surfaces as ``UnsafeImage`` with a short reason, never
a Pillow internal exception.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 64_000_000  # 8000×8000: phone photos are ≤ 50 MP
MAX_SIDE = 16_384
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF")
_ORIENTATION = 0x0112  # EXIF tag

_heif_registered = False
# Pillow's own guard stays on as a backstop (it raises at twice this); the checks below, made on
# the header before any pixel is decoded, refuse at the limit itself, without touching
# process-wide warning filters (the web server decodes in threads).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class UnsafeImage(ValueError):
    """The bytes are not an image we accept to decode (with the reason)."""


@dataclass(frozen=True)
class DecodeLimits:
    max_pixels: int = MAX_PIXELS
    max_side: int = MAX_SIDE


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _check_size(img: Image.Image, limits: DecodeLimits) -> None:
    width, height = img.size
    if width <= 0 or height <= 0:
        raise UnsafeImage("image has no pixels")
    if max(width, height) > limits.max_side:
        raise UnsafeImage(f"image too large: {width}x{height} (max side {limits.max_side})")
    if width * height > limits.max_pixels:
        raise UnsafeImage(f"image too large: {width}x{height} (max {limits.max_pixels} pixels)")


def open_image(source: Path | str | bytes | BinaryIO,
               limits: DecodeLimits = DecodeLimits()) -> Image.Image:
    """Open lazily (header only) after the format and size checks: callers may ``draft()``."""
    _register_heif()
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        img = Image.open(source, formats=ALLOWED_FORMATS)  # reads the header only
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise UnsafeImage(_reason(exc)) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnsafeImage(f"unreadable image: {exc}") from None
    _check_size(img, limits)
    return img


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return "not an accepted image format (JPEG, PNG, WEBP, GIF, HEIC)"
    return "image too large (decompression bomb)"


def finish_decode(img: Image.Image, mode: str = "RGB") -> Image.Image:
    """Decode the first frame fully, apply EXIF orientation, return it in ``mode``."""
    try:
        if getattr(img, "is_animated", False):
            img.seek(0)
        img.load()
        oriented = ImageOps.exif_transpose(img) if img.getexif().get(_ORIENTATION, 1) != 1 \
            else img  # exif_transpose copies the image even when there is nothing to turn
        return oriented if oriented.mode == mode else oriented.convert(mode)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise UnsafeImage(f"unreadable image: {exc}") from None


def decode_rgb(source: Path | str | bytes | BinaryIO,
               limits: DecodeLimits = DecodeLimits()) -> Image.Image:
    """Fully decoded, upright, RGB first frame of an untrusted image."""
    img = open_image(source, limits)
    decoded = finish_decode(img)
    if decoded is not img:
        img.close()
    return decoded
