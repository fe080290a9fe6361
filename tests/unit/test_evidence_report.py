"""The evidence report PDF: content, blurred thumbnails by default, signature round trip."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageDraw

from rempart.config import Settings
from rempart.documents.casefile import CaseFile, Exhibit, OffenceLine
from rempart.documents.report import render_report
from rempart.documents.signing import load_or_create_identity, sign_pdf, verify_pdf

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils missing")


def _sharp_png() -> bytes:
    image = Image.new("RGB", (300, 200), "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, 300, 10):
        draw.line([(x, 0), (x, 200)], fill="black", width=3)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _case() -> CaseFile:
    when = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    return CaseFile(
        code="RMP-TEST-0001", created_at=when, kinds=("threats",),
        description="Messages de menaces répétés.", platforms=("Discord",),
        exhibits=(Exhibit(1, "menace.png", "image/png", 5000, "b" * 64, when, leaf_index=7,
                          thumbnail_png=_sharp_png(), leaf_hash="c" * 64,
                          inclusion_proof=("d" * 64, "e" * 64)),),
        offences=(OffenceLine("Code pénal, art. 222-17", "Menace de crime", "6 mois / 7 500 €"),),
        checkpoint="rempart.example/log\n8\nq1w2e3=\n\n— rempart.example/log abcd\n",
    )


def _first_page(pdf: bytes, folder) -> np.ndarray:
    folder.mkdir()
    path = folder / "r.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(path),
                    str(folder / "p")], check=True)
    page = next(folder.glob("p*.png"))
    return np.asarray(Image.open(page).convert("L"), dtype=np.int16)


def test_thumbnails_are_blurred_unless_revealed(tmp_path):
    blurred = _first_page(render_report(_case()), tmp_path / "blurred")
    revealed = _first_page(render_report(_case(), reveal_thumbnails=True), tmp_path / "revealed")
    # Same text on both pages: the difference in edges comes from the thumbnail alone.
    edges_blurred = np.abs(np.diff(blurred, axis=1)).sum()
    edges_revealed = np.abs(np.diff(revealed, axis=1)).sum()
    changed = np.abs(blurred - revealed) > 40
    assert changed.sum() > 2000  # the thumbnail area differs
    assert edges_revealed > edges_blurred * 1.2


def test_the_report_lists_hashes_proofs_and_checkpoint(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(render_report(_case(), language="en"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    body = " ".join(text.stdout.decode().split())
    assert "b" * 64 in body.replace(" ", "") and "d" * 64 in body.replace(" ", "")
    assert "Inclusion proof" in body and "rempart.example/log" in body
    assert "222-17" in body and "not legal advice" in body


def test_the_signed_report_verifies(tmp_path):
    identity = load_or_create_identity(Settings(data_dir=tmp_path))
    signed = sign_pdf(render_report(_case()), identity, reason="Rapport de preuves")
    assert verify_pdf(signed, identity.trust_roots_pem).valid
