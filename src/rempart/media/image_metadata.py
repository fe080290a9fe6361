"""When, with what and where a photo was taken, from its EXIF (Pillow ``getexif``).

Read through ``safe_image.open_image`` (header only, format allow-list, size checks): no pixel is
decoded. The location (GPS IFD) is sensitive: callers show it to staff only and never copy it
outside; the copies Rempart sends out are re-encoded without any EXIF (``documents``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rempart.media.safe_image import UnsafeImage, open_image

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME, _MAKE, _MODEL = 0x0132, 0x010F, 0x0110
_DATETIME_ORIGINAL, _OFFSET_ORIGINAL = 0x9003, 0x9011
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


@dataclass(frozen=True)
class TakenWith:
    taken_at: str | None  # ISO 8601 (with the offset when the camera wrote one)
    device: str | None
    location: tuple[float, float] | None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip("\x00 ") if value is not None else ""
    return "".join(c for c in text if c.isprintable())[:80] or None


def _when(value: Any, offset: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        at = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _text(offset) or ""
    return at.isoformat() + (zone if len(zone) == 6 and zone[0] in "+-" else "")


def _degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    return -result if _text(ref) in ("S", "W") else result


def _location(gps: Any) -> tuple[float, float] | None:
    if not gps:
        return None
    lat = _degrees(gps.get(_LAT), gps.get(_LAT_REF))
    lon = _degrees(gps.get(_LON), gps.get(_LON_REF))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def read_metadata(data: bytes) -> TakenWith:
    """The photo's date, device and location where its EXIF has them; UnsafeImage if refused."""
    img = open_image(data)
    try:
        exif = img.getexif()
        sub = exif.get_ifd(_EXIF_IFD)
        taken = (_when(sub.get(_DATETIME_ORIGINAL), sub.get(_OFFSET_ORIGINAL))
                 or _when(exif.get(_DATETIME), None))
        device = " ".join(p for p in (_text(exif.get(_MAKE)), _text(exif.get(_MODEL))) if p)
        return TakenWith(taken, device or None, _location(exif.get_ifd(_GPS_IFD)))
    except (OSError, ValueError, SyntaxError, KeyError, TypeError) as exc:
        raise UnsafeImage(f"unreadable EXIF ({type(exc).__name__})") from None
    finally:
        img.close()
