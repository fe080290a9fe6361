import io
import json
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image
from typer.testing import CliRunner

from rempart.cli import app
from rempart.media.pdq import bits_to_hex

runner = CliRunner()


def noisy_jpeg(path: Path) -> Path:
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(path, "JPEG")
    return path


def test_it_prints_one_json_line_per_image_equal_to_pdqhash(tmp_path: Path) -> None:
    image = noisy_jpeg(tmp_path / "a.jpg")
    result = runner.invoke(app, ["hash", str(image), "--dihedral"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.strip())
    vector, quality = pdqhash.compute(np.asarray(Image.open(image).convert("RGB")))
    assert record["pdq"] == bits_to_hex(vector) and record["quality"] == quality
    assert record["media_type"] == "image/jpeg" and len(record["pdq_dihedral"]) == 8
    assert len(record["sha256"]) == 64


def test_it_flags_unusable_images(tmp_path: Path) -> None:
    flat = tmp_path / "flat.png"
    Image.new("RGB", (64, 64), (9, 9, 9)).save(flat)
    record = json.loads(runner.invoke(app, ["hash", str(flat)]).stdout)
    assert record["usable"] is False and "unusable" in record["warning"]


def test_it_reports_a_bad_file_and_exits_2_after_the_others(tmp_path: Path) -> None:
    good = noisy_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "bad.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buf, "BMP")
    bad.write_bytes(buf.getvalue())
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = runner.invoke(app, ["hash", str(bad), str(good), str(text)])
    assert result.exit_code == 2
    assert [json.loads(line)["file"] for line in result.stdout.splitlines()] == [str(good)]
    assert len(result.stderr.strip().splitlines()) == 2
    assert result.stderr.startswith("error: ")


def test_it_hashes_in_fast_mode_within_a_few_bits(tmp_path: Path) -> None:
    image = tmp_path / "big.jpg"
    rng = np.random.default_rng(5)
    smooth = Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).resize(
        (1600, 1200), Image.Resampling.BICUBIC)
    smooth.save(image, "JPEG", quality=90)
    exact = json.loads(runner.invoke(app, ["hash", str(image), "--exact"]).stdout)
    fast = json.loads(runner.invoke(app, ["hash", str(image), "--fast"]).stdout)
    assert (int(exact["pdq"], 16) ^ int(fast["pdq"], 16)).bit_count() <= 16
    assert exact["sha256"] == fast["sha256"]
