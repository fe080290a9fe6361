"""Read the text of a case's screenshots (OCR), keep it like the evidence, give it to whoever may
read it (issue 14.1).

``read_case`` runs Tesseract on every image item not read yet: the text, its word boxes and
confidence, the language and the conversation go into one JSON document stored encrypted in the
vault (a derived item of the case, shredded with it); its row names the item it was read from
and both digests, and a custody event "item_derived" links the derived document's digest to the
item's. It runs as a background job (``rempart.jobs.ocr``) after every upload, then the case is
classified again so that the words in the images reach the classifier and the triage.

Readers: the reporter (portal, API), staff with the evidence permission (audited) and the
operator (``rempart evidence text``). The text never enters a log.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from rempart.domain import custody
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.staff import Permission
from rempart.media import ocr, sniff
from rempart.services import audit
from rempart.services.app import App
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember, require_permission
from rempart.store.evidence_text_tables import DerivedItemRecord, derived

OCR = "ocr"
IMAGE_TYPES = frozenset({sniff.PNG, sniff.JPEG, sniff.WEBP, sniff.GIF, sniff.HEIC})
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ItemText:
    """What was read from one evidence item."""

    item_id: str
    file_name: str
    item_sha256: str
    derived_id: str
    derived_sha256: str
    read_at: datetime
    result: ocr.OcrResult

    def as_dict(self, words: bool = False) -> dict[str, Any]:
        raw = self.result.as_dict()
        if not words:
            raw.pop("words")
            for line in raw["lines"]:
                line.pop("words")
        return {"item_id": self.item_id, "file_name": self.file_name,
                "item_sha256": self.item_sha256, "derived_id": self.derived_id,
                "derived_sha256": self.derived_sha256,
                "read_at": custody.format_time(self.read_at), **raw}


@dataclass(frozen=True)
class ReadReport:
    read: list[str] = field(default_factory=list)  # item ids read now
    failed: list[str] = field(default_factory=list)  # item ids Tesseract could not read


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def read_item(services: App, case_id: str, item_id: str) -> bool:
    """OCR one item of the case if it is an image not read yet; True if it was read now.
    CaseNotFound("evidence") if the case has no such item; ocr.OcrFailed if unreadable."""
    with services.uow() as uow:
        item = uow.cases.evidence_item(case_id, item_id)
        if item is None:
            raise CaseNotFound("evidence")
        if item.media_type not in IMAGE_TYPES or derived(uow).of_item(item_id, OCR):
            return False
        item_sha256 = item.sha256
    data = b"".join(services.store.open(case_id, item_id))  # verified before a byte is read
    result = ocr.read_image(data)
    document = json.dumps(result.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    derived_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    with services.uow() as uow:
        repo = derived(uow)
        if repo.of_item(item_id, OCR) is not None:  # another worker read it meanwhile
            return False
        blob = services.store.put(case_id, derived_id, io.BytesIO(document))
        leaf = uow.ledger.append(custody.CustodyEvent(
            custody.CustodyAction.DERIVED, case_id, custody.ActorRole.SYSTEM, now,
            item_id=derived_id, sha256=blob.sha256, target=f"{OCR}:{item_sha256}"))
        repo.add(DerivedItemRecord(
            id=derived_id, case_id=case_id, evidence_id=item_id, kind=OCR,
            source_sha256=item_sha256, sha256=blob.sha256, size=blob.size,
            engine=f"{result.engine} {result.engine_version}"[:60], language=result.language,
            words=len(result.words), leaf_index=leaf, created_at=now))
        uow.commit()
    return True


def read_case(services: App, case_id: str) -> ReadReport:
    """OCR every image item of the case not read yet (the background job)."""
    with services.uow() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        items = [e.id for e in uow.cases.evidence(case_id) if e.media_type in IMAGE_TYPES]
    report = ReadReport()
    for item_id in items:
        try:
            if read_item(services, case_id, item_id):
                report.read.append(item_id)
        except ocr.OcrFailed as problem:  # the reason names no content
            log.warning("ocr.failed", case_id=case_id, item_id=item_id, reason=str(problem))
            report.failed.append(item_id)
    log.info("ocr.case_read", case_id=case_id, read=len(report.read), failed=len(report.failed))
    return report


def _texts(services: App, case_id: str, item_id: str | None) -> list[ItemText]:
    with services.uow() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        names = {e.id: (e.file_name, e.sha256) for e in uow.cases.evidence(case_id)}
        if item_id is not None and item_id not in names:
            raise CaseNotFound("evidence")
        rows = [(r.id, r.evidence_id, r.sha256, r.created_at)
                for r in derived(uow).for_case(case_id, OCR)
                if item_id is None or r.evidence_id == item_id]
    out = []
    for derived_id, evidence_id, digest, created_at in rows:
        document = b"".join(services.store.open(case_id, derived_id))
        out.append(ItemText(evidence_id, names[evidence_id][0], names[evidence_id][1],
                            derived_id, digest, _aware(created_at),
                            ocr.OcrResult.from_dict(json.loads(document))))
    order = list(names)
    return sorted(out, key=lambda text: order.index(text.item_id))


def texts_for_reporter(services: App, case_id: str, item_id: str | None = None
                       ) -> list[ItemText]:
    """The reporter's own case (already opened with its code and passphrase), or the operator."""
    return _texts(services, case_id, item_id)


def texts_for_staff(services: App, member: StaffMember, case_id: str,
                    item_id: str | None = None) -> list[ItemText]:
    """Staff with the evidence permission; the reading is audited."""
    with services.uow() as uow:
        require_permission(uow, member, Permission.VIEW_EVIDENCE)
        texts = _texts(services, case_id, item_id)
        audit.record(uow, Actor.STAFF, AuditAction.EVIDENCE_VIEWED, case_id=case_id,
                     staff_id=member.id, detail={"what": "ocr_text", "items": len(texts)})
        uow.commit()
    return texts


def classifier_messages(services: App, case_id: str) -> list[tuple[str, str]]:
    """(reference, text) pairs for the classifier: each bubble of a screenshot read as a chat
    ("ocr:<item>:<n>"), or the whole text of one that is not ("ocr:<item>")."""
    pairs: list[tuple[str, str]] = []
    try:
        texts = _texts(services, case_id, None)
    except (CaseNotFound, RuntimeError):  # no case, or an in-memory unit of work (unit tests)
        return pairs
    for text in texts:
        bubbles = [b.text for b in text.result.conversation if b.text.strip()]
        if bubbles:
            pairs += [(f"ocr:{text.item_id}:{n}", body) for n, body in enumerate(bubbles)]
        elif text.result.text.strip():
            pairs.append((f"ocr:{text.item_id}", text.result.text))
    return pairs


def suggested_facts(services: App, case_id: str) -> dict[str, list[str]]:
    """Dates, handles and links seen in the screenshots that the report does not name yet:
    proposed to the reporter, never added by themselves."""
    with services.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        known_handles = {h.lower().lstrip("@") for h in case.author_handles}
        known_urls = {u.lower().rstrip("/") for u in case.urls}
    found: dict[str, list[str]] = {"dates": [], "handles": [], "urls": []}
    for text in _texts(services, case_id, None):
        for key, values in ocr.suggest_facts(text.result.text).items():
            found[key] += [v for v in values if v not in found[key]]
    found["handles"] = [h for h in found["handles"] if h.lower().lstrip("@") not in known_handles]
    found["urls"] = [u for u in found["urls"] if u.lower().rstrip("/") not in known_urls]
    return found
