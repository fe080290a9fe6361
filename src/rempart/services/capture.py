"""Capture a web page into a case (issue 14.3): the WARC of the exchanges, a PNG of the page,
and a "capture" document saying what was fetched, when, and from where.

The fetch and the rendering are the ``rempart.capture`` library (SSRF-safe). Both files go into
the case through the same path as uploads (vault, SHA-256, custody "received"), but without the
upload type sniffing: the server wrote them itself. If Chromium cannot draw the page the WARC is
kept and the result says so (``render_refused``). The capture document is a derived item of
the WARC, like the OCR text of a screenshot. The page's content never enters a log.
"""

from __future__ import annotations

import io
import json
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

import structlog

from rempart.capture import fetch as capture_fetch
from rempart.capture import render as capture_render
from rempart.capture import warc as capture_warc
from rempart.domain import custody
from rempart.domain.audit import Actor, AuditAction
from rempart.media import sniff
from rempart.services import audit
from rempart.services.app import App
from rempart.services.cases import _store_checked
from rempart.services.errors import CaseNotFound, ServiceError
from rempart.services.uploads import CheckedUpload
from rempart.store.evidence_text_tables import DerivedItemRecord, derived

CAPTURE = "capture"
SOFTWARE = "Rempart capture"
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Requester:
    """Who asked for a capture: the case's reporter (portal), a staff member (back-office,
    ``staff_id``) or the operator (command line). Custody entries record the role, the audit
    log the actor and the staff id; never an IP address."""

    actor: Actor
    staff_id: str | None = None

    @property
    def custody_role(self) -> custody.ActorRole:
        return {Actor.REPORTER: custody.ActorRole.REPORTER, Actor.STAFF: custody.ActorRole.STAFF,
                Actor.SYSTEM: custody.ActorRole.SYSTEM}.get(self.actor,
                                                            custody.ActorRole.OPERATOR)


REPORTER = Requester(Actor.REPORTER)
OPERATOR = Requester(Actor.OPERATOR)


class CaptureFailed(ServiceError):
    """The page was not captured; ``reason`` is one of ``CaptureRefused.REASONS``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CaptureResult:
    url: str
    final_url: str
    status: int
    fetched_at: datetime
    warc_item_id: str
    png_item_id: str | None
    derived_id: str
    render_refused: str | None  # why there is no PNG, if there is none

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "final_url": self.final_url, "status": self.status,
                "fetched_at": custody.format_time(self.fetched_at),
                "warc_item_id": self.warc_item_id, "png_item_id": self.png_item_id,
                "derived_id": self.derived_id, "render_refused": self.render_refused}


def policy_of(services: App) -> capture_fetch.FetchPolicy:
    settings = services.settings
    return capture_fetch.FetchPolicy(
        allow_private=settings.capture_allow_private, max_bytes=settings.capture_max_bytes,
        timeout_seconds=settings.capture_timeout_seconds,
        max_redirects=settings.capture_max_redirects)


def _spooled(data: bytes) -> BinaryIO:
    spool = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115 - closed by the caller
    spool.write(data)
    spool.seek(0)
    return spool


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "page")[:80]


def capture_page(services: App, case_id: str, url: str, by: Requester = OPERATOR
                 ) -> CaptureResult:
    """Fetch, archive and draw the page into the case for ``by`` (who asked); CaptureFailed if
    it cannot be fetched, CaseNotFound if there is no such case. It waits for the fetch (up to
    the capture timeout, twice with the rendering): the web pages queue it instead
    (``rempart.services.capture_requests``)."""
    with services.uow() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
    policy = policy_of(services)
    deadline = capture_fetch.Deadline(policy.timeout_seconds)
    try:
        chain = capture_fetch.fetch(url, policy, deadline)
    except capture_fetch.CaptureRefused as refused:
        raise CaptureFailed(refused.reason, str(refused)) from None
    page = chain[-1]
    png, render_refused, resources = b"", None, []
    try:
        rendering = capture_render.render(page, policy, services.settings.capture_chromium,
                                          capture_fetch.Deadline(policy.timeout_seconds))
        png, resources = rendering.png, rendering.resources
    except capture_fetch.CaptureRefused as refused:
        render_refused = str(refused)
        log.warning("capture.render_failed", case_id=case_id, reason=render_refused)
    warc_bytes = capture_warc.write_warc([*chain, *resources], SOFTWARE)
    host = _host(page.url)
    files = [CheckedUpload(f"capture-{host}.warc", capture_warc.MEDIA_TYPE, len(warc_bytes),
                           _spooled(warc_bytes))]
    if png:
        files.append(CheckedUpload(f"capture-{host}.png", sniff.PNG, len(png), _spooled(png)))
    try:
        return _store(services, case_id, url, chain, files, render_refused, by)
    finally:
        for file in files:
            file.content.close()


def _store(services: App, case_id: str, url: str, chain: list[capture_fetch.Exchange],
           files: list[CheckedUpload], render_refused: str | None, by: Requester
           ) -> CaptureResult:
    page = chain[-1]
    now = datetime.now(UTC)
    with services.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        receipts = _store_checked(uow, services.store, case_id, files, now,
                                  role=by.custody_role)
        warc_id = receipts[0].item_id
        png_id = receipts[1].item_id if len(receipts) > 1 else None
        document = {"url": url, "final_url": page.url,
                    "fetched_at": custody.format_time(page.fetched_at), "status": page.status,
                    "headers": [[k, v] for k, v in page.headers],
                    "warc_item_id": warc_id, "png_item_id": png_id,
                    "redirects": [e.url for e in chain[:-1]],
                    "render_refused": render_refused}
        encoded = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
        derived_id = str(uuid.uuid4())
        blob = services.store.put(case_id, derived_id, io.BytesIO(encoded))
        leaf = uow.ledger.append(custody.CustodyEvent(
            custody.CustodyAction.DERIVED, case_id, by.custody_role, now,
            item_id=derived_id, sha256=blob.sha256, target=f"{CAPTURE}:{receipts[0].sha256}"))
        derived(uow).add(DerivedItemRecord(
            id=derived_id, case_id=case_id, evidence_id=warc_id, kind=CAPTURE,
            source_sha256=receipts[0].sha256, sha256=blob.sha256, size=blob.size,
            engine=SOFTWARE, language="und", words=0, leaf_index=leaf, created_at=now))
        case.updated_at = now
        audit.record(uow, by.actor, AuditAction.EVIDENCE_ADDED, case_id=case_id,
                     staff_id=by.staff_id,
                     detail={"files": sum(not r.already_in_case for r in receipts),
                             "duplicates": sum(r.already_in_case for r in receipts),
                             "capture": True})
        uow.commit()
    log.info("capture.stored", case_id=case_id, files=len(receipts),
             rendered=render_refused is None)
    return CaptureResult(url, page.url, page.status, page.fetched_at, warc_id, png_id,
                         derived_id, render_refused)


def capture_document(services: App, case_id: str, derived_id: str) -> dict[str, Any]:
    """The stored capture document (read back from the vault, verified)."""
    data = b"".join(services.store.open(case_id, derived_id))
    return cast(dict[str, Any], json.loads(data))
