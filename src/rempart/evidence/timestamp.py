"""RFC 3161 trusted timestamps of signed checkpoints (``rfc3161-client``).

When ``REMPART_TSA_URL`` is set, each checkpoint note is sent (as a SHA-256 imprint, never the
data itself) to that time-stamping authority. The response is verified against the authority's
certificate chain before it is kept: the trust anchors come from ``REMPART_TSA_CA_FILE`` (PEM),
and the kept chain is the authority's certificates from the response plus those anchors, so that
a court expert can rerun ``openssl ts -verify`` years later without network access.

We keep the whole DER ``TimeStampResp`` (it wraps the token): ``openssl ts -verify -in`` and
``rfc3161_client.decode_timestamp_response`` both read it directly.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from rempart.config import Settings
from rempart.evidence.ledger import TimestampFailed, TimestampToken

MAX_RESPONSE_BYTES = 64 * 1024
CONTENT_TYPE_QUERY = "application/timestamp-query"


class TimestampError(TimestampFailed):
    """The authority did not answer, refused, or its answer does not verify."""


@dataclass(frozen=True)
class VerifiedTime:
    gen_time: datetime
    serial_number: int


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError("not a PEM certificate list") from exc


class RFC3161Timestamper:
    def __init__(self, url: str, roots: list[x509.Certificate], timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise TimestampError("TSA URL must be http:// or https://")
        if not roots:
            raise TimestampError("the TSA's trust anchor is needed (REMPART_TSA_CA_FILE)")
        self.url, self.roots, self.timeout = url, roots, timeout

    def timestamp(self, data: bytes) -> TimestampToken:
        request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
                   .nonce(nonce=True).cert_request(cert_request=True).build())
        raw = self._post(request.as_bytes())
        try:
            response = decode_timestamp_response(raw)
        except ValueError as exc:
            raise TimestampError("the TSA's answer is not a timestamp response") from exc
        if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
            raise TimestampError(f"the TSA refused the request (status {response.status})")
        if response.tst_info.nonce != request.nonce:
            raise TimestampError("the TSA's answer does not carry our nonce")
        chain = [x509.load_der_x509_certificate(der)
                 for der in sorted(response.signed_data.certificates)]
        chain_pem = b"".join(c.public_bytes(Encoding.PEM) for c in [*chain, *self.roots])
        verify_response(raw, data, chain_pem)
        return TimestampToken(token=raw, chain_pem=chain_pem.decode())

    def _post(self, body: bytes) -> bytes:
        http_request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=body, method="POST", headers={"Content-Type": CONTENT_TYPE_QUERY})
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as answer:  # noqa: S310
                raw = answer.read(MAX_RESPONSE_BYTES + 1)
        except OSError as exc:
            raise TimestampError(f"the TSA did not answer: {exc.__class__.__name__}") from exc
        if len(raw) > MAX_RESPONSE_BYTES:
            raise TimestampError("the TSA's answer is too large")
        return raw


def verify_response(response_der: bytes, data: bytes, chain_pem: bytes) -> VerifiedTime:
    """Check a kept response against the data and the kept chain (its last cert is the root)."""
    certificates = load_certificates(chain_pem)
    try:
        response = decode_timestamp_response(response_der)
    except ValueError as exc:
        raise TimestampError("not a timestamp response") from exc
    roots = [c for c in certificates if c.issuer == c.subject]
    if not roots:
        raise TimestampError("the kept chain has no root certificate")
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    for other in certificates:
        if other not in roots:
            builder = builder.add_intermediate_certificate(other)
    try:
        builder.build().verify_message(response, data)
    except (VerificationError, ValueError) as exc:
        raise TimestampError(f"timestamp does not verify: {exc}") from exc
    return VerifiedTime(response.tst_info.gen_time, response.tst_info.serial_number)


def pinned_chain(kept_chain_pem: bytes, anchors_pem: bytes) -> bytes:
    """A bundle's kept chain with its own roots replaced by the reader's trust anchors: a
    response verifies against it only if the reader's authority issued it."""
    kept = [c for c in load_certificates(kept_chain_pem) if c.issuer != c.subject]
    anchors = load_certificates(anchors_pem)
    return b"".join(c.public_bytes(Encoding.PEM) for c in [*kept, *anchors])


def timestamper_from_settings(settings: Settings) -> RFC3161Timestamper | None:
    """The configured authority, or None when ``REMPART_TSA_URL`` is not set."""
    if not settings.tsa_url:
        return None
    if settings.tsa_ca_file is None:
        raise TimestampError("REMPART_TSA_URL is set but REMPART_TSA_CA_FILE is not")
    try:
        anchors = settings.tsa_ca_file.read_bytes()
    except OSError as exc:
        raise TimestampError(f"REMPART_TSA_CA_FILE cannot be read: {exc.strerror}") from None
    return RFC3161Timestamper(settings.tsa_url, load_certificates(anchors))
