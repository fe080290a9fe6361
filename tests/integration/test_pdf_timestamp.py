"""PAdES B-T: the evidence report's signature carries a token from a REAL local RFC 3161
authority (``openssl ts -reply``, the fixture of test_timestamp)."""

from __future__ import annotations

from rempart.config import Settings
from rempart.documents.pdf import RempartPdf
from rempart.documents.signing import load_or_create_identity, sign_pdf, verify_pdf
from tests.integration.test_timestamp import authority  # noqa: F401  (fixture)


def _pdf() -> bytes:
    pdf = RempartPdf("Rapport")
    pdf.add_page()
    pdf.paragraph("Pièce n° 1 — SHA-256 …")
    return pdf.to_bytes()


def test_the_signature_is_timestamped_by_the_authority(authority, tmp_path):  # noqa: F811
    identity = load_or_create_identity(Settings(data_dir=tmp_path))
    signed = sign_pdf(_pdf(), identity, reason="test", tsa_url=authority["url"])
    roots = identity.trust_roots_pem + authority["ca"].read_bytes()
    result = verify_pdf(signed, roots)
    assert result.valid, result.problems
    assert result.timestamped and result.signing_time is not None


def test_without_the_authority_s_root_the_timestamp_is_not_counted(authority, tmp_path):  # noqa: F811
    identity = load_or_create_identity(Settings(data_dir=tmp_path))
    signed = sign_pdf(_pdf(), identity, reason="test", tsa_url=authority["url"])
    result = verify_pdf(signed, identity.trust_roots_pem)
    assert not result.timestamped
