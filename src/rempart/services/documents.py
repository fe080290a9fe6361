"""Documents of a case: complaint letter, DSA notice, PHAROS fields, signed evidence report.

Gathers what a document needs (case fields, exhibits with their custody proofs, suggested
offences, safe thumbnails) into a ``CaseFile``, renders it, records who produced what in the audit
log and, for documents that carry the evidence out of Rempart, an "exported" or "shared" custody
event per exhibit. Access checks are the caller's: the portal passes the reporter's own case,
the back-office a staff member allowed to read it (``staff_documents``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from rempart.bootstrap import Services
from rempart.documents.casefile import CaseFile, Exhibit
from rempart.documents.complaint import ComplaintParties, render_complaint
from rempart.documents.notice import draft_from_case, render_notice
from rempart.documents.pharos import pharos_text
from rempart.documents.report import render_report
from rempart.documents.signing import load_or_create_identity, sign_pdf
from rempart.domain import custody
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.notices import Notifier, as_json
from rempart.domain.staff import Permission
from rempart.evidence import custody_log
from rempart.services import audit, legal
from rempart.services.cases import CaseDetail, EvidenceReceipt, load_detail
from rempart.services.staff import StaffMember, require_permission
from rempart.store.uow import UnitOfWork

THUMBNAIL_SOURCE_LIMIT = 30 * 1024 * 1024  # larger images are listed without a thumbnail
THUMBNAIL_PIXELS = 320
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/heic",
                "image/heif"}


class DocumentKind(StrEnum):
    COMPLAINT = "complaint"
    NOTICE = "notice"
    PHAROS = "pharos"
    REPORT = "report"


@dataclass(frozen=True)
class Requester:
    """Who asks for a document: the reporter of the case, a staff member, or the operator."""

    actor: Actor
    staff: StaffMember | None = None

    @property
    def custody_role(self) -> custody.ActorRole:
        return {Actor.REPORTER: custody.ActorRole.REPORTER, Actor.STAFF: custody.ActorRole.STAFF
                }.get(self.actor, custody.ActorRole.OPERATOR)


REPORTER = Requester(Actor.REPORTER)
OPERATOR = Requester(Actor.OPERATOR)


def staff_requester(services: Services, staff: StaffMember) -> Requester:
    """A staff member may produce documents if their role may read cases (checked here)."""
    with services.uow() as uow:
        require_permission(uow, staff, Permission.VIEW_CASE)
    return Requester(Actor.STAFF, staff)


def complaint(services: Services, case_id: str, requester: Requester, parties: ComplaintParties,
              language: str = "fr") -> bytes:
    case = _gather(services, case_id, requester, DocumentKind.COMPLAINT, language,
                   thumbnails=False)
    return render_complaint(case, parties, language)


def notice(services: Services, case_id: str, requester: Requester, platform: str,
           notifier: Notifier | None, language: str = "fr",
           explanation: str | None = None) -> tuple[bytes, dict[str, object]]:
    """The notice as PDF and JSON; NoticeError if an Article 16 element is missing."""
    case = _gather(services, case_id, requester, DocumentKind.NOTICE, language,
                   thumbnails=False, shared_with=platform)
    draft = draft_from_case(case, platform, notifier, explanation or _explanation(case, language),
                            tuple(o.reference for o in case.offences), language)
    data = as_json(draft)
    return render_notice(draft), data


def pharos(services: Services, case_id: str, requester: Requester, language: str = "fr") -> str:
    case = _gather(services, case_id, requester, DocumentKind.PHAROS, language, thumbnails=False)
    return pharos_text(case, language)


def evidence_report(services: Services, case_id: str, requester: Requester, language: str = "fr",
                    reveal_thumbnails: bool = False) -> bytes:
    """The evidence report, signed (PAdES; with an RFC 3161 timestamp when a TSA is set)."""
    case = _gather(services, case_id, requester, DocumentKind.REPORT, language, thumbnails=True)
    pdf = render_report(case, language, reveal_thumbnails=reveal_thumbnails)
    identity = load_or_create_identity(services.settings)
    reason = {"fr": "Rapport de preuves Rempart", "en": "Rempart evidence report"}[language]
    return sign_pdf(pdf, identity, reason=reason, location=services.settings.host,
                    tsa_url=services.settings.tsa_url)


def _gather(services: Services, case_id: str, requester: Requester, kind: DocumentKind,
            language: str, *, thumbnails: bool, shared_with: str | None = None) -> CaseFile:
    if language not in ("fr", "en"):
        raise ValueError(f"unsupported language: {language}")
    with services.uow() as uow:
        detail = load_detail(uow, case_id)
        exhibits = [_exhibit(uow, services, detail, n, receipt, thumbnails)
                    for n, receipt in enumerate(detail.evidence, start=1)]
        _record(uow, detail, requester, kind, shared_with)
        checkpoint = custody_log.latest_note(_session(uow), services.settings)
        record = uow.cases.get(case_id)
        labels = tuple(sorted(record.labels)) if record is not None else ()
        uow.commit()
    return CaseFile(
        code=detail.code, created_at=detail.created_at,
        kinds=tuple(legal.kind_label(k, language) for k in detail.kinds),
        description=detail.description, platforms=_platforms(detail),
        urls=tuple(detail.urls), author_handles=tuple(detail.author_handles),
        incident_dates=detail.incident_dates or "", victim_is_minor=detail.victim_is_minor,
        reporter_role=detail.reporter_role.value, exhibits=tuple(exhibits),
        offences=tuple(legal.offence_lines(detail, language, labels)),
        message_labels=labels,
        checkpoint=checkpoint,
    )


def _session(uow: UnitOfWork) -> Session:
    """Documents carry custody proofs, so they need the database behind the unit of work."""
    if uow.session is None:
        raise RuntimeError("documents need a database-backed unit of work")
    return uow.session


def _platforms(detail: CaseDetail) -> tuple[str, ...]:
    extra = (detail.other_platform,) if detail.other_platform else ()
    return tuple(detail.platforms) + extra


def _exhibit(uow: UnitOfWork, services: Services, detail: CaseDetail, number: int,
             receipt: EvidenceReceipt, thumbnails: bool) -> Exhibit:
    leaf_hash, proof = "", tuple[str, ...]()
    if receipt.leaf_index is not None:
        item_proof = custody_log.receipt_proof(_session(uow), services.settings,
                                               receipt.leaf_index)
        leaf_hash = hashlib.sha256(b"\x00" + item_proof.leaf.encode()).hexdigest()
        proof = tuple(item_proof.inclusion_proof)
    thumbnail = _thumbnail(services, detail.case_id, receipt) if thumbnails else None
    return Exhibit(number=number, file_name=receipt.file_name, media_type=receipt.media_type,
                   size=receipt.size, sha256=receipt.sha256, received_at=receipt.received_at,
                   leaf_index=receipt.leaf_index, thumbnail_png=thumbnail, leaf_hash=leaf_hash,
                   inclusion_proof=proof)


def _thumbnail(services: Services, case_id: str, receipt: EvidenceReceipt) -> bytes | None:
    """A small PNG decoded by the safe decoder; None for other types or undecodable images."""
    from rempart.media.safe_image import UnsafeImage, decode_rgb

    if receipt.media_type not in _IMAGE_TYPES or receipt.size > THUMBNAIL_SOURCE_LIMIT:
        return None
    data = b"".join(services.store.open(case_id, receipt.item_id))
    try:
        image = decode_rgb(data)
    except UnsafeImage:
        return None
    image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _record(uow: UnitOfWork, detail: CaseDetail, requester: Requester, kind: DocumentKind,
            shared_with: str | None) -> None:
    staff_id = requester.staff.id if requester.staff else None
    audit.record(uow, requester.actor, AuditAction.DOCUMENT_GENERATED, case_id=detail.case_id,
                 staff_id=staff_id, detail={"document": kind.value})
    if kind not in (DocumentKind.REPORT, DocumentKind.NOTICE):
        return  # the letter and PHAROS fields list hashes only, no evidence leaves Rempart
    now = datetime.now(UTC)
    for receipt in detail.evidence:
        if shared_with:
            custody_log.log_shared(_session(uow), detail.case_id, receipt.item_id, receipt.sha256,
                                   requester.custody_role, shared_with[:60], police=False, at=now)
        else:
            custody_log.log_exported(_session(uow), detail.case_id, receipt.item_id,
                                     receipt.sha256, requester.custody_role, at=now)


def _explanation(case: CaseFile, language: str) -> str:
    offences = "; ".join(f"{o.title} ({o.reference})" for o in case.offences)
    if language == "fr":
        text = f"Contenu relevant de : {offences}." if offences else "Contenu illicite."
        return f"{text} Faits signalés : {case.description.strip()}"
    text = f"Content falling under: {offences}." if offences else "Illegal content."
    return f"{text} Facts reported: {case.description.strip()}"
