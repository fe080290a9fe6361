"""Signal types as plug-ins: one class each, found through the registry, same behaviour."""

from __future__ import annotations

import io
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rempart.detect import scan, signal_types
from rempart.detect.signals import InvalidSignal, VpdqFrame, format_vpdq
from rempart.media import pdq, video


def rand_pdq(seed: int) -> str:
    return f"{random.Random(seed).getrandbits(256):064x}"


def flip(value: str, bits: int) -> str:
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


def photo(path: Path, size: tuple[int, int] = (320, 240)) -> Path:
    rng = np.random.default_rng(1)
    pixels = (np.linspace(0, 255, size[0] * size[1] * 3).reshape(size[1], size[0], 3)
              + rng.normal(0, 20, (size[1], size[0], 3)))
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
    return path


def test_every_type_is_registered_once_and_found_by_name():
    assert signal_types.names() == ["pdq", "vpdq", "video_md5"]
    assert signal_types.get(" VIDEO_MD5 ").name == "video_md5"
    with pytest.raises(InvalidSignal, match="unknown signal type"):
        signal_types.get("sha1")
    assert [t.name for t in signal_types.for_content("photo")] == ["pdq"]
    assert [t.name for t in signal_types.for_content("video")] == ["vpdq", "video_md5"]


def test_the_pdq_index_finds_what_distance_says_is_near_and_forgets_withdrawals():
    kind = signal_types.get("pdq")
    bank = [rand_pdq(i) for i in range(50)]
    index = kind.new_index()
    index.add(np.arange(50, dtype=np.int64), kind.pack(bank))
    query = flip(bank[7], 5)
    assert kind.distance(query, bank[7]) == 5
    assert index.search([query], 31) == [(0, 7, 5)]
    index.withdraw([7])
    assert index.search([query], 31) == []


def test_the_md5_index_matches_exactly():
    kind = signal_types.get("video_md5")
    index = kind.new_index()
    index.add(np.array([3, 4], dtype=np.int64), kind.pack([kind.normalise("A" * 32), "b" * 32]))
    assert index.search(["a" * 32, "c" * 32], 0) == [(0, 3, 0)]
    assert kind.distance("a" * 32, "b" * 32) == 1
    index.withdraw([3])
    assert index.search(["a" * 32], 0) == []


def test_the_vpdq_index_applies_the_80_percent_rule_and_reports_the_frame_distance():
    kind = signal_types.get("vpdq")
    frames = [VpdqFrame(rand_pdq(100 + i), 90, float(i)) for i in range(10)]
    stored = kind.normalise(format_vpdq(frames))
    index = kind.new_index()
    index.add(np.array([9], dtype=np.int64), kind.pack([stored]))
    near = format_vpdq([VpdqFrame(flip(f.pdq, 3), 90, f.timestamp) for f in frames])
    assert index.search([near], 31) == [(0, 9, 3)]
    assert kind.distance(near, stored) == 3


def test_only_pdq_cares_about_quality():
    assert signal_types.get("pdq").quality_problem(49)
    assert signal_types.get("pdq").quality_problem(101)
    assert signal_types.get("pdq").quality_problem(50) == ""
    assert signal_types.get("pdq").quality_problem(None) == ""
    assert signal_types.get("video_md5").quality_problem(10) == ""


def test_pdq_hashes_a_file_through_safe_image(tmp_path):
    path = photo(tmp_path / "p.png")
    hashed = signal_types.get("pdq").hash_file(path)
    expected = pdq.hash_image(path)
    assert (hashed.value, hashed.quality) == (expected.hash, expected.quality)


def test_a_scan_of_a_folder_skips_what_safe_image_refuses(tmp_path):
    good = photo(tmp_path / "good.png")
    (tmp_path / "fake.jpg").write_bytes(b"not an image at all")
    Image.new("L", (17_000, 2)).save(tmp_path / "wide.png")  # over MAX_SIDE, raw PIL opens it
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")  # a format outside the allow-list
    (tmp_path / "x.bmp").write_bytes(buffer.getvalue())
    frame = scan.hash_images(sorted(str(p) for p in tmp_path.iterdir()))
    assert frame["content_id"].tolist() == [str(good)]
    assert frame["signal_type"].tolist() == ["pdq"]


def test_video_types_hash_a_file(tmp_path):
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p", str(clip)],
                   check=True)
    assert signal_types.get("video_md5").hash_file(clip).value == video.file_md5(clip)
    frames = signal_types.get("vpdq").hash_file(clip).value
    kind = signal_types.get("vpdq")
    assert kind.normalise(frames) == frames and len(frames.split(",")) == 6
