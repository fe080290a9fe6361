"""The WARC file of a capture (ISO 28500, written and read with warcio).

One ``warcinfo`` record, then for every exchange (the page, its redirects, the resources the
rendering asked for) a ``request`` and a ``response`` record with the HTTP headers, the fetch
time (``WARC-Date``) and the server's address (``WARC-IP-Address``); warcio adds the block and
payload digests. The payload is stored as received after transfer decoding: the recorded
``Transfer-Encoding`` header is replaced by the payload's ``Content-Length`` so that readers do
not try to de-chunk it again.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from rempart.capture.fetch import Exchange

MEDIA_TYPE = "application/warc"


def _date(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _response_headers(exchange: Exchange) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in exchange.headers
            if k.lower() not in ("transfer-encoding", "content-length")]
    return kept + [("Content-Length", str(len(exchange.body)))]


def write_warc(exchanges: Sequence[Exchange], software: str) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    writer.write_record(writer.create_warcinfo_record(
        "capture.warc", {"software": software, "format": "WARC File Format 1.1",
                         "description": "Rempart page capture (evidence)"}))
    for exchange in exchanges:
        parts = urlsplit(exchange.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        warc_headers = {"WARC-Date": _date(exchange.fetched_at),
                        "WARC-IP-Address": exchange.peer_ip}
        request = writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(f"GET {path} {exchange.http_version}",
                                          exchange.request_headers, is_http_request=True),
            warc_headers_dict=dict(warc_headers))
        response = writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body),
            http_headers=StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(),
                                          _response_headers(exchange),
                                          protocol=exchange.http_version),
            warc_headers_dict=dict(warc_headers))
        request.rec_headers.add_header("WARC-Concurrent-To",
                                       response.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(request)
        writer.write_record(response)
    return out.getvalue()


class WarcInvalid(ValueError):
    """The WARC file does not hold what its capture record says."""


@dataclass(frozen=True)
class RecordedResponse:
    url: str
    status: int
    payload_sha256: str
    digest_ok: bool  # WARC-Payload-Digest matches the payload


def _digest_matches(declared: str | None, payload: bytes) -> bool:
    if not declared or ":" not in declared:
        return False
    algorithm, value = declared.split(":", 1)
    name = algorithm.lower().replace("-", "")
    if name not in ("sha1", "sha256", "sha512"):
        return False
    raw = hashlib.new(name, payload).digest()
    return value.strip().upper() in (base64.b32encode(raw).decode(), raw.hex().upper())


def responses(warc: bytes) -> list[RecordedResponse]:
    """Every response record of the file, each payload checked against its declared digest."""
    found = []
    try:
        for record in ArchiveIterator(io.BytesIO(warc), no_record_parse=False):
            if record.rec_type != "response":
                continue
            payload = record.raw_stream.read()
            status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
            found.append(RecordedResponse(
                record.rec_headers.get_header("WARC-Target-URI") or "", status,
                hashlib.sha256(payload).hexdigest(),
                _digest_matches(record.rec_headers.get_header("WARC-Payload-Digest"), payload)))
    except (ArchiveLoadFailed, ValueError, OSError) as exc:
        raise WarcInvalid(f"not a readable WARC file ({type(exc).__name__})") from exc
    return found


def check_capture(warc: bytes, final_url: str, payload_sha256: str) -> None:
    """WarcInvalid unless the WARC holds the final page's response with that payload and every
    response's payload matches its WARC-Payload-Digest."""
    recorded = responses(warc)
    for response in recorded:
        if not response.digest_ok:
            raise WarcInvalid(f"the payload of {response.url} does not match its "
                              "WARC-Payload-Digest")
    if not any(r.url == final_url and r.payload_sha256 == payload_sha256 for r in recorded):
        raise WarcInvalid(f"no response for {final_url} with the recorded payload")
