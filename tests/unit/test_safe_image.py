import io

import pytest
from PIL import Image

from rempart.media.safe_image import DecodeLimits, UnsafeImage, decode_rgb


def png_bytes(size: tuple[int, int], color: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def test_it_decodes_a_png_to_rgb() -> None:
    img = decode_rgb(png_bytes((40, 30)))
    assert img.mode == "RGB" and img.size == (40, 30)


def test_it_refuses_a_decompression_bomb() -> None:
    bomb = png_bytes((3000, 3000))  # compresses to a few kB, 9 MP once decoded
    with pytest.raises(UnsafeImage, match="too large"):
        decode_rgb(bomb, DecodeLimits(max_pixels=1_000_000))


def test_it_refuses_huge_dimensions() -> None:
    with pytest.raises(UnsafeImage, match="max side"):
        decode_rgb(png_bytes((5000, 10)), DecodeLimits(max_side=4096))


def test_it_refuses_a_truncated_file() -> None:
    buf = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buf, "JPEG")
    with pytest.raises(UnsafeImage, match="unreadable"):
        decode_rgb(buf.getvalue()[: len(buf.getvalue()) // 2])


def test_it_refuses_a_format_outside_the_allow_list() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "BMP")
    with pytest.raises(UnsafeImage, match="not an accepted image format"):
        decode_rgb(buf.getvalue())


def test_it_refuses_bytes_that_are_not_an_image() -> None:
    with pytest.raises(UnsafeImage):
        decode_rgb(b"#!/bin/sh\necho hi\n")


def test_it_applies_exif_orientation() -> None:
    img = Image.new("RGB", (40, 20))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    assert decode_rgb(buf.getvalue()).size == (20, 40)


def test_it_takes_the_first_frame_of_an_animated_gif() -> None:
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    r, g, b = decode_rgb(buf.getvalue()).getpixel((8, 8))  # type: ignore[misc]
    assert r > 200 and b < 50


def test_it_refuses_a_100_megapixel_bomb_with_the_default_limits() -> None:
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, "PNG")  # about 12 kB on disk
    assert len(buf.getvalue()) < 100_000
    with pytest.raises(UnsafeImage, match="too large"):
        decode_rgb(buf.getvalue())
