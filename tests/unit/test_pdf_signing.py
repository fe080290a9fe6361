"""PAdES signing with the instance certificate, checked by Rempart and by pyHanko's own CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rempart.config import Settings
from rempart.documents.pdf import RempartPdf
from rempart.documents.signing import InvalidPdf, load_or_create_identity, sign_pdf, verify_pdf


def _document() -> bytes:
    pdf = RempartPdf("Rapport de preuves — test", footer_note="Information, pas un conseil")
    pdf.add_page()
    pdf.heading("Pièces jointes « capture d’écran »")
    pdf.paragraph("Œuvre, sœur, harcèlement: texte accentué.")
    return pdf.to_bytes()


@pytest.fixture
def identity(tmp_path):
    return load_or_create_identity(Settings(data_dir=tmp_path))


def test_it_signs_and_verifies_a_report(identity):
    signed = sign_pdf(_document(), identity, reason="Rempart evidence report")
    result = verify_pdf(signed, identity.trust_roots_pem)
    assert result.valid, result.problems
    assert "Rempart evidence reports" in result.signer


def test_it_keeps_the_identity_across_starts(tmp_path):
    first = load_or_create_identity(Settings(data_dir=tmp_path))
    second = load_or_create_identity(Settings(data_dir=tmp_path))
    assert first == second
    assert (tmp_path / "signing" / "signer-key.pem").stat().st_mode & 0o077 == 0


def test_it_detects_a_changed_byte_in_the_signed_content(identity):
    signed = bytearray(sign_pdf(_document(), identity, reason="test"))
    position = signed.find(b"/Title")
    assert position > 0
    signed[position + 8] ^= 0x01
    result = verify_pdf(bytes(signed), identity.trust_roots_pem)
    assert not result.valid


def test_it_detects_content_appended_after_signing(identity):
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = sign_pdf(_document(), identity, reason="test")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_object(writer.root)  # any incremental update after the signature
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    from pyhanko.pdf_utils import generic

    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), identity.trust_roots_pem)
    assert not result.valid
    assert any("modified after signing" in p for p in result.problems)


def test_it_rejects_a_signature_from_an_untrusted_instance(identity, tmp_path):
    other = load_or_create_identity(Settings(data_dir=tmp_path / "other"))
    signed = sign_pdf(_document(), other, reason="test")
    result = verify_pdf(signed, identity.trust_roots_pem)
    assert not result.valid
    assert any("not trusted" in p for p in result.problems)


def test_it_reports_an_unsigned_pdf(identity):
    result = verify_pdf(_document(), identity.trust_roots_pem)
    assert not result.valid and "no signature" in result.problems[0]


def test_it_rejects_bytes_that_are_not_a_pdf(identity):
    with pytest.raises(InvalidPdf):
        verify_pdf(b"MZ\x90\x00 not a pdf", identity.trust_roots_pem)


def test_pyhanko_own_validator_accepts_it(identity, tmp_path):
    cli = Path(sys.executable).parent / "pyhanko"
    if not cli.exists() and not shutil.which("pyhanko"):
        pytest.skip("pyhanko CLI (pyhanko-cli) is not installed")
    signed_path = tmp_path / "rapport.pdf"
    signed_path.write_bytes(sign_pdf(_document(), identity, reason="test"))
    roots = tmp_path / "ca.pem"
    roots.write_bytes(identity.trust_roots_pem)
    proc = subprocess.run(
        [str(cli), "sign", "validate", "--no-revocation-check", "--trust-replace", "--trust",
         str(roots), "--executive-summary", str(signed_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith(":VALID")
