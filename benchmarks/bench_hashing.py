"""Hashing benchmark: PDQ images per second for 1024×768 JPEGs, Rempart's fast path (JPEG decoded
at reduced scale, ``rempart.media.pdq.hash_image(fast=True)``) against ``pdqhash`` on the fully
decoded image (the baseline, same run, same files), with the Hamming distance between the two
hashes; and vPDQ + MD5 time for a short generated video.

    nice -n 10 .venv/bin/python benchmarks/bench_hashing.py [--images 200] [--video-seconds 60]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFilter

from rempart.media import pdq, video

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "hashing.json"


def photo_like_jpeg(seed: int, size: tuple[int, int] = (1024, 768)) -> bytes:
    """Smooth gradients, sensor-like noise, blurred shapes: JPEG content close to a photo."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x * rng.uniform(-0.2, 0.2) + y * rng.uniform(-0.2, 0.2) + rng.uniform(40, 200)
                     for _ in range(3)], axis=-1)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(5, 25))):
        x0, y0 = int(rng.integers(-100, w)), int(rng.integers(-100, h))
        box = (x0, y0, x0 + int(rng.integers(20, w // 2)), y0 + int(rng.integers(20, h // 2)))
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.6 else draw.rectangle)(box, fill=color)
    img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(1, 4))))
    noisy = np.asarray(img, dtype=np.float32) + rng.normal(0, 6, (h, w, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def baseline_hash(data: bytes) -> str:
    vector, _ = pdqhash.compute(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    return pdq.bits_to_hex(vector)


def interleaved(methods: dict[str, Callable[[bytes], str]], items: list[bytes],
                rounds: int) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Each image goes through every method in turn, so that load from other processes on this
    shared machine weighs on all methods alike; the best of ``rounds`` passes is kept."""
    hashes: dict[str, list[str]] = {name: [] for name in methods}
    best = {name: float("inf") for name in methods}
    for round_number in range(rounds):
        spent = dict.fromkeys(methods, 0.0)
        for item in items:
            for name, method in methods.items():
                start = time.perf_counter()
                result = method(item)
                spent[name] += time.perf_counter() - start
                if round_number == 0:
                    hashes[name].append(result)
        best = {name: min(best[name], spent[name]) for name in methods}
    return hashes, best


def bench_images(count: int, rounds: int) -> dict[str, object]:
    jpegs = [photo_like_jpeg(seed) for seed in range(count)]
    methods: dict[str, Callable[[bytes], str]] = {
        "baseline": baseline_hash, "exact": lambda d: pdq.hash_image(d).hash,
        "fast": lambda d: pdq.hash_image(d, fast=True).hash}
    interleaved(methods, jpegs[:5], 1)  # warm-up
    hashes, seconds = interleaved(methods, jpegs, rounds)
    assert hashes["exact"] == hashes["baseline"], "exact mode must equal pdqhash"
    distances = [pdq.hamming(a, b) for a, b in zip(hashes["fast"], hashes["baseline"],
                                                    strict=True)]
    return {"images": count, "size": "1024x768", "rounds": rounds,
            "baseline_per_s": count / seconds["baseline"],
            "exact_per_s": count / seconds["exact"], "fast_per_s": count / seconds["fast"],
            "speedup": seconds["baseline"] / seconds["fast"],
            "mean_distance": statistics.mean(distances), "max_distance": max(distances),
            "p95_distance": sorted(distances)[int(0.95 * (count - 1))],
            "histogram": dict(sorted(Counter(distances).items()))}


def bench_video(seconds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "clip.mp4"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=duration={seconds}:size=1280x720:rate=30", "-pix_fmt",
                        "yuv420p", str(clip)], check=True)
        start = time.perf_counter()
        result = video.hash_video(clip)
        elapsed = time.perf_counter() - start
        size = clip.stat().st_size
    return {"video": f"{seconds} s 1280x720 30 fps H.264", "bytes": size,
            "frames_hashed": len(result.frames), "seconds": elapsed,
            "x_realtime": seconds / elapsed}


def table(images: dict[str, object], clip: dict[str, object]) -> str:
    rows = ["| method | images/s | × baseline | Hamming distance to baseline |",
            "|---|---:|---:|---|",
            f"| `pdqhash` on the fully decoded image (baseline) | {images['baseline_per_s']:.1f} "
            "| 1.00 | – |",
            f"| Rempart exact (`rempart hash --exact`) | {images['exact_per_s']:.1f} | "
            f"{images['exact_per_s'] / images['baseline_per_s']:.2f} | 0 (equal) |",
            "| Rempart fast (`--fast`: JPEG luma decoded at ≈ 512 px, PDQ as matrix products) | "
            f"{images['fast_per_s']:.1f} | "
            f"{images['speedup']:.2f} | mean {images['mean_distance']:.2f}, "
            f"p95 {images['p95_distance']}, max {images['max_distance']} |",
            "",
            f"vPDQ + MD5, {clip['video']}: {clip['frames_hashed']} frames hashed in "
            f"{clip['seconds']:.2f} s ({clip['x_realtime']:.0f}× real time)."]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--video-seconds", type=int, default=60)
    args = parser.parse_args()
    images, clip = bench_images(args.images, args.rounds), bench_video(args.video_seconds)
    print(table(images, clip))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"images": images, "video": clip}, indent=2) + "\n")


if __name__ == "__main__":
    main()
