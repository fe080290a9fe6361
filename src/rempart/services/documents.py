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
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from rempart.documents.casefile import CaseFile, Exhibit
from rempart.documents.complaint import ComplaintParties, render_complaint
from rempart.documents.notice import draft_from_case, render_notice
from rempart.documents.pharos import pharos_text
from rempart.documents.report import render_report
from rempart.documents.signing import load_or_create_identity, sign_pdf
from rempart.domain import custody
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.facts import ReportFacts
from rempart.domain.notices import Notifier, as_json
from rempart.domain.staff import Permission
from rempart.services import audit, chronology, legal
from rempart.services.app import App as Services
from rempart.services.cases import CaseDetail, EvidenceReceipt, load_detail
from rempart.services.staff import StaffMember, require_permission
from rempart.store.uow import UnitOfWork
from rempart.store.workbench_tables import workbench

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
              language: str = "fr", facts: ReportFacts | None = None) -> bytes:
    """The complaint letter; its offences come from the case's facts (``facts`` replaces the
    stored answers), and it asks for the suspension of the authors' accounts (article 131-35-1
    of the Code pénal) when an offence allows it."""
    case, detail = _gather(services, case_id, language, thumbnails=False, facts=facts)
    pdf = render_complaint(case, parties, language)
    _record(services, detail, requester, DocumentKind.COMPLAINT)
    return pdf


def notice(services: Services, case_id: str, requester: Requester, platform: str,
           notifier: Notifier | None, language: str = "fr",
           explanation: str | None = None) -> tuple[bytes, dict[str, object]]:
    """The notice as PDF and JSON; NoticeError if an Article 16 element is missing (then
    nothing is recorded)."""
    case, detail = _gather(services, case_id, language, thumbnails=False)
    draft = draft_from_case(case, platform, notifier, explanation or _explanation(case, language),
                            tuple(o.reference for o in case.offences), language)
    data = as_json(draft)
    pdf = render_notice(draft)
    _record(services, detail, requester, DocumentKind.NOTICE, shared_with=platform)
    return pdf, data


def pharos(services: Services, case_id: str, requester: Requester, language: str = "fr") -> str:
    case, detail = _gather(services, case_id, language, thumbnails=False)
    text = pharos_text(case, language)
    _record(services, detail, requester, DocumentKind.PHAROS)
    return text


def evidence_report(services: Services, case_id: str, requester: Requester, language: str = "fr",
                    reveal_thumbnails: bool = False) -> bytes:
    """The evidence report, signed (PAdES; with an RFC 3161 timestamp when a TSA is set)."""
    case, detail = _gather(services, case_id, language, thumbnails=True)
    pdf = render_report(case, language, reveal_thumbnails=reveal_thumbnails)
    identity = load_or_create_identity(services.settings)
    reason = {"fr": "Rapport de preuves Rempart", "en": "Rempart evidence report"}[language]
    signed = sign_pdf(pdf, identity, reason=reason, location=services.settings.host,
                      tsa_url=services.settings.tsa_url)
    _record(services, detail, requester, DocumentKind.REPORT)
    return signed


def ledger_target(platform: str) -> str:
    """A platform name as the custody ledger records it ("E-mail / SMS" -> "E-mail-SMS")."""
    return re.sub(r"[^A-Za-z0-9_.:-]+", "-", platform).strip("-")[:100] or "platform"


def _gather(services: Services, case_id: str, language: str, *,
            thumbnails: bool, facts: ReportFacts | None = None) -> tuple[CaseFile, CaseDetail]:
    """The case as documents see it; signs a checkpoint if entries are pending (receipts)."""
    if language not in ("fr", "en"):
        raise ValueError(f"unsupported language: {language}")
    with services.uow() as uow:
        detail = load_detail(uow, case_id)
        exhibits = [_exhibit(uow, services, detail, n, receipt, thumbnails)
                    for n, receipt in enumerate(detail.evidence, start=1)]
        checkpoint = uow.ledger.latest_note(services.settings)
        record = uow.cases.get(case_id)
        labels = tuple(sorted(record.labels)) if record is not None else ()
        followup = tuple(workbench(uow).followup(case_id, language))  # takedowns, referrals
        uow.commit()
    timeline, span = chronology.for_documents(services, detail, language, facts)
    case = CaseFile(
        code=detail.code, created_at=detail.created_at,
        kinds=tuple(legal.kind_label(k, language) for k in detail.kinds),
        description=detail.description, platforms=_platforms(detail),
        urls=tuple(detail.urls), author_handles=tuple(detail.author_handles),
        incident_dates=detail.incident_dates or "", victim_is_minor=detail.victim_is_minor,
        reporter_role=detail.reporter_role.value, exhibits=tuple(exhibits),
        offences=tuple(legal.offence_lines(detail, language, labels, facts, chronology=span)),
        message_labels=labels,
        followup=followup,
        checkpoint=checkpoint,
        timeline=timeline,
    )
    return case, detail


def _platforms(detail: CaseDetail) -> tuple[str, ...]:
    extra = (detail.other_platform,) if detail.other_platform else ()
    return tuple(detail.platforms) + extra


def _exhibit(uow: UnitOfWork, services: Services, detail: CaseDetail, number: int,
             receipt: EvidenceReceipt, thumbnails: bool) -> Exhibit:
    leaf_hash, proof = "", tuple[str, ...]()
    if receipt.leaf_index is not None:
        item_proof = uow.ledger.receipt_proof(services.settings, receipt.leaf_index)
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


def _record(services: Services, detail: CaseDetail, requester: Requester, kind: DocumentKind,
            shared_with: str | None = None) -> None:
    """Audit the document, and log each exhibit leaving Rempart (report, notice) in the ledger:
    done once the document exists, so a refused or failed one leaves no trace."""
    staff_id = requester.staff.id if requester.staff else None
    with services.uow() as uow:
        audit.record(uow, requester.actor, AuditAction.DOCUMENT_GENERATED,
                     case_id=detail.case_id, staff_id=staff_id, detail={"document": kind.value})
        if kind in (DocumentKind.REPORT, DocumentKind.NOTICE):
            _log_custody(uow, detail, requester, shared_with)
        uow.commit()


def _log_custody(uow: UnitOfWork, detail: CaseDetail, requester: Requester,
                 shared_with: str | None) -> None:
    # The complaint letter and PHAROS fields list hashes only: no evidence leaves Rempart.
    now = datetime.now(UTC)
    for receipt in detail.evidence:
        if shared_with:
            uow.ledger.append(custody.shared(detail.case_id, receipt.item_id, receipt.sha256,
                                             requester.custody_role, now,
                                             ledger_target(shared_with), police=False))
        else:
            uow.ledger.append(custody.exported(detail.case_id, receipt.item_id, receipt.sha256,
                                               requester.custody_role, now))


def _explanation(case: CaseFile, language: str) -> str:
    offences = "; ".join(f"{o.title} ({o.reference})" for o in case.offences)
    if language == "fr":
        text = f"Contenu relevant de : {offences}." if offences else "Contenu illicite."
        return f"{text} Faits signalés : {case.description.strip()}"
    text = f"Content falling under: {offences}." if offences else "Illegal content."
    return f"{text} Facts reported: {case.description.strip()}"
