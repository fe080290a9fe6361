"""On-device hashing in Debian's Chromium: hashes equal pdqhash's within 8 bits, no file sent.

Twenty-four generated photo-like images (gradients, noise, shapes; JPEG and PNG; 64 px to
2000 px) are hashed by static/js/pdq.js in the page; every request the page makes is recorded
and none may carry the file bytes. The distance distribution goes to
benchmarks/results/browser_pdq.json.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pdqhash
import pytest
import vpdq
from PIL import Image, ImageDraw, ImageFilter

from rempart.media.pdq import bits_to_hex, hamming

pytestmark = pytest.mark.e2e
RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "browser_pdq.json"
SIZES = [(64, 64), (200, 150), (320, 480), (640, 480), (800, 800), (1024, 768), (1280, 720),
         (2000, 1500)]


def _photo_like(seed: int, size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    channels = [(x * rng.uniform(-0.4, 0.4) + y * rng.uniform(-0.4, 0.4) + rng.uniform(0, 255))
                % 256 for _ in range(3)]
    base = np.stack(channels, axis=-1) + rng.normal(0, rng.uniform(2, 20), (h, w, 3))
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 15))):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        box = (x0, y0, x0 + int(rng.integers(4, max(5, w // 2))),
               y0 + int(rng.integers(4, max(5, h // 2))))
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=color)
    return img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 2))))


def _images(folder: Path) -> list[Path]:
    paths = []
    for i in range(24):
        img = _photo_like(i, SIZES[i % len(SIZES)])
        path = folder / (f"photo-{i:02d}." + ("png" if i % 3 == 0 else "jpg"))
        if path.suffix == ".png":
            img.save(path, "PNG")
        else:
            img.save(path, "JPEG", quality=int(70 + i))
        paths.append(path)
    return paths


def _reference(path: Path) -> tuple[str, int]:
    vector, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    return bits_to_hex(vector), int(quality)


def _record_requests(page) -> list[bytes]:
    bodies: list[bytes] = []
    page.on("request", lambda request: bodies.append(request.post_data_buffer or b""))
    return bodies


def _assert_no_file_bytes(bodies: list[bytes], files: list[Path]) -> None:
    for path in files:
        data = path.read_bytes()
        probes = [data[i:i + 48] for i in (len(data) // 4, len(data) // 2, len(data) - 64)]
        for body in bodies:
            assert len(body) < len(data) or data not in body
            assert not any(probe in body for probe in probes), f"{path.name} bytes were sent"


def _media_blobs_allowed(csp: str) -> bool:
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    return "blob:" in directives.get("media-src", directives.get("default-src", ""))


def _hash_in_page(page, files: list[Path]) -> list[dict[str, str]]:
    page.set_input_files("#media-file", [str(p) for p in files])
    page.wait_for_selector("body[data-hashing=done]", timeout=120_000)
    return page.eval_on_selector_all("#hash-list li", "items => items.map(i => ({"
                                     "pdq: i.dataset.pdq, quality: i.dataset.quality,"
                                     "md5: i.dataset.md5, frames: i.dataset.frames}))")


def test_it_hashes_images_in_the_browser_close_to_pdqhash_and_sends_only_hashes(
        server, browser, tmp_path):
    files = _images(tmp_path)
    context = browser.new_context()
    page = context.new_page()
    bodies = _record_requests(page)
    page.goto(server["base"] + "/stop-images?lang=en")
    results = _hash_in_page(page, files)
    assert len(results) == len(files)

    distances = {}
    for path, result in zip(files, results, strict=True):
        expected, quality = _reference(path)
        distances[path.name] = hamming(result["pdq"], expected)
        assert abs(int(result["quality"]) - quality) <= 5, path.name
    histogram = dict(sorted(Counter(distances.values()).items()))
    summary = {"images": len(files), "max": max(distances.values()),
               "mean": sum(distances.values()) / len(distances), "histogram": histogram,
               "per_image": distances}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print("browser PDQ vs pdqhash distances:", histogram)
    assert max(distances.values()) <= 8, distances

    page.get_by_label("18 or older").check()
    page.get_by_role("button", name="Send the fingerprints").click()
    page.wait_for_selector("#case-reference")
    assert len(page.inner_text("#case-pin").split()) == 7  # a passphrase, as for a case
    _assert_no_file_bytes(bodies, files)
    assert any(b"pdq%7C" in body for body in bodies)  # the hashes themselves were sent
    context.close()


def test_it_hashes_a_video_in_the_browser_md5_and_one_frame_per_second(server, browser, tmp_path):
    clip = tmp_path / "clip.webm"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=3:size=320x240:rate=25", "-c:v", "libvpx", "-b:v", "1M",
                    str(clip)], check=True)
    context = browser.new_context()
    page = context.new_page()
    bodies = _record_requests(page)
    page.goto(server["base"] + "/stop-images?lang=en")
    csp = page.request.get(server["base"] + "/stop-images").headers["content-security-policy"]
    [result] = _hash_in_page(page, [clip])
    assert result["md5"] == hashlib.md5(clip.read_bytes()).hexdigest()
    assert _media_blobs_allowed(csp), "the CSP must let the page play the chosen video (blob:)"
    assert result["frames"] == "3"
    fields = page.eval_on_selector_all("#hash-fields input", "xs => xs.map(x => x.value)")
    browser_frames = next(v for v in fields if v.startswith("vpdq|"))[5:].split(",")[0::3]
    reference = [f.hex for f in vpdq.computeHash(str(clip))]
    # Seeking and the browser's VP8 decoder give slightly different pixels from ffmpeg's.
    assert all(hamming(a, b) <= 31 for a, b in zip(browser_frames, reference, strict=True))
    page.get_by_label("18 or older").check()
    page.get_by_role("button", name="Send the fingerprints").click()
    page.wait_for_selector("#case-reference")
    _assert_no_file_bytes(bodies, [clip])
    context.close()


def test_it_explains_the_other_routes_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server["base"] + "/stop-images?lang=fr")
    assert page.is_hidden("#hasher")
    assert "rempart hash" in page.inner_text("main")
    context.close()


def test_it_never_sends_an_image_even_through_the_form(tmp_path):
    # The file input has no name and sits outside the form: checked on the template itself.
    template = (Path(__file__).resolve().parents[2] / "src" / "rempart" / "web" / "templates"
                / "stop_images" / "index.html").read_text()
    file_input = next(line for line in template.splitlines() if 'type="file"' in line)
    assert "name=" not in file_input
    assert template.index('type="file"') < template.index("<form")
