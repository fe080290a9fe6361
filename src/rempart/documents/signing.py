"""PAdES signatures of Rempart's PDF documents with the instance's certificate, and their check.

The only module that signs or validates PDFs. An instance signs with its own certificate: by
default a small private CA and a signing certificate generated on first use into
``<data>/signing/`` (keys 0600); an organisation with a qualified certificate points
``REMPART_SIGNING_KEY_FILE``, ``REMPART_SIGNING_CERT_FILE`` and ``REMPART_SIGNING_CHAIN_FILE`` at
it instead. When a timestamp authority is configured the signature carries an RFC 3161 token
(PAdES B-T), so the signing time does not rest on the instance's clock.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from rempart.config import Settings
from rempart.private_files import create_folder_once, write_private

SIGNATURE_FIELD = "RempartSignature"
_CA_NAME = "ca.pem"
_CA_KEY = "ca-key.pem"
_SIGNER_NAME = "signer.pem"
_SIGNER_KEY = "signer-key.pem"


class InvalidPdf(ValueError):
    """The input is not a readable PDF (bad input, not a failed signature)."""


@dataclass(frozen=True)
class SigningIdentity:
    key_pem: bytes
    cert_pem: bytes
    chain_pem: bytes  # issuing CA certificate(s), PEM, root last

    @property
    def trust_roots_pem(self) -> bytes:
        return self.chain_pem or self.cert_pem


@dataclass
class PdfVerification:
    valid: bool
    problems: list[str] = field(default_factory=list)
    signer: str = ""
    signing_time: dt.datetime | None = None
    timestamped: bool = False

    def summary(self) -> str:
        if self.valid:
            stamp = " (RFC 3161 timestamp verified)" if self.timestamped else ""
            when = self.signing_time.isoformat() if self.signing_time else "unknown time"
            return f"valid signature by {self.signer} at {when}{stamp}"
        return "; ".join(self.problems)


def load_or_create_identity(settings: Settings) -> SigningIdentity:
    """The instance's signing identity from *_FILE variables, or generated once in the data dir."""
    key_file = os.environ.get("REMPART_SIGNING_KEY_FILE")
    cert_file = os.environ.get("REMPART_SIGNING_CERT_FILE")
    if key_file and cert_file:
        chain_file = os.environ.get("REMPART_SIGNING_CHAIN_FILE")
        chain = Path(chain_file).read_bytes() if chain_file else b""
        return SigningIdentity(Path(key_file).read_bytes(), Path(cert_file).read_bytes(), chain)
    folder = settings.ensure_data_dir() / "signing"
    if not (folder / _SIGNER_KEY).exists():
        create_folder_once(folder, lambda tmp: _generate_instance_identity(tmp, settings.host))
    return SigningIdentity(
        key_pem=(folder / _SIGNER_KEY).read_bytes(),
        cert_pem=(folder / _SIGNER_NAME).read_bytes(),
        chain_pem=(folder / _CA_NAME).read_bytes(),
    )


def _generate_instance_identity(folder: Path, instance: str) -> None:
    os.chmod(folder, 0o700)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"Rempart instance CA ({instance})")
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now, years=20)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        _builder(_name(f"Rempart evidence reports ({instance})"), ca_name,
                 signer_key.public_key(), now, years=5)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(folder / _CA_KEY, ca_key)
    _write_private(folder / _SIGNER_KEY, signer_key)
    (folder / _CA_NAME).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / _SIGNER_NAME).write_bytes(signer_cert.public_bytes(serialization.Encoding.PEM))


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Rempart"),
    ])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
             now: dt.datetime, years: int) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=not cert_sign, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    write_private(path, key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


def sign_pdf(pdf: bytes, identity: SigningIdentity, *, reason: str, location: str = "",
             tsa_url: str | None = None) -> bytes:
    """Return the PDF with an incremental PAdES signature (B-T when ``tsa_url`` is given)."""
    chain = list(load_certs_from_pemder_data(identity.chain_pem)) if identity.chain_pem else []
    signer = signers.SimpleSigner(
        signing_cert=next(iter(load_certs_from_pemder_data(identity.cert_pem))),
        signing_key=load_private_key_from_pemder_data(identity.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, md_algorithm="sha256", reason=reason, location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except (PdfReadError, ValueError) as exc:
        raise InvalidPdf(f"not a readable PDF: {exc}") from exc
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper)
    return bytes(out.getvalue())


def verify_pdf(pdf: bytes, trust_roots_pem: bytes) -> PdfVerification:
    """Check every signature: intact, trusted chain, covering the whole file, no later edits."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError) as exc:
        raise InvalidPdf(f"not a readable PDF: {exc}") from exc
    if not signatures:
        return PdfVerification(valid=False, problems=["the PDF carries no signature"])
    context = ValidationContext(trust_roots=list(load_certs_from_pemder_data(trust_roots_pem)),
                                allow_fetching=False, revocation_mode="soft-fail")
    result = PdfVerification(valid=True)
    for embedded in signatures:
        _check_signature(embedded, context, result)
    return result


def _check_signature(embedded, context: ValidationContext,  # type: ignore[no-untyped-def]
                     result: PdfVerification) -> None:
    try:
        status = validate_pdf_signature(embedded, context)
    except (SignatureValidationError, ValueError) as exc:
        result.valid = False
        result.problems.append(f"signature {embedded.field_name}: {exc}")
        return
    unmodified = (None, ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
    checks = {
        "the signed bytes were altered": status.intact and status.valid,
        "the signer's certificate is not trusted": status.trusted,
        "the document was modified after signing":
            status.modification_level in unmodified and status.docmdp_ok is not False,
        "the signature timestamp does not verify":
            status.timestamp_validity is None or status.timestamp_validity.valid,
    }
    for problem, ok in checks.items():
        if not ok:
            result.valid = False
            result.problems.append(f"signature {embedded.field_name}: {problem}")
    result.signer = status.signing_cert.subject.human_friendly
    if status.timestamp_validity is not None:
        result.timestamped = status.timestamp_validity.valid and status.timestamp_validity.trusted
        result.signing_time = status.timestamp_validity.timestamp
    else:
        result.signing_time = status.signer_reported_dt
