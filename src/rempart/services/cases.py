"""Reporter-side use cases: file a report, come back with code + passphrase, add evidence,
talk with responders, withdraw.

Audit events of reporters hold ids and counts only: no IP address, no content.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import structlog

from rempart.config import Settings
from rempart.domain import triage
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.cases import (
    CaseKind,
    CaseStatus,
    InvalidReportFields,
    MessageAuthor,
    ReporterRole,
    ReportFields,
    validate_message,
    validate_report,
)
from rempart.evidence import custody_log
from rempart.evidence.interface import EvidenceStore
from rempart.security import hashing, passphrase
from rempart.services import audit
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    InvalidReport,
    TooManyAttempts,
    UploadRejected,
)
from rempart.services.uploads import CheckedUpload, Upload, UploadLimits, check_uploads
from rempart.store.tables import CaseRecord, CaseTokenRecord, EvidenceRecord, MessageRecord
from rempart.store.uow import UnitOfWork

__all__ = ["Upload", "UploadLimits", "NewReport", "SubmittedReport", "EvidenceReceipt",
           "ThreadMessage", "CaseDetail", "AttemptPolicy", "submit_report", "open_case",
           "issue_case_token", "case_for_token", "case_detail", "add_evidence",
           "post_reporter_message", "withdraw_case", "read_evidence", "add_signals"]

log = structlog.get_logger(__name__)
MAX_PASSPHRASE_CHARS = 500


@dataclass
class NewReport:
    description: str
    kinds: list[CaseKind]
    platforms: list[str] = field(default_factory=list)
    other_platform: str | None = None
    urls: list[str] = field(default_factory=list)
    incident_dates: str | None = None
    author_handles: list[str] = field(default_factory=list)
    victim_is_minor: bool = False
    reporter_role: ReporterRole = ReporterRole.VICTIM
    contact: str | None = None


@dataclass(frozen=True)
class EvidenceReceipt:
    item_id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    received_at: datetime
    leaf_index: int | None = None  # its "received" entry in the custody ledger (issue 3)


@dataclass(frozen=True)
class SubmittedReport:
    case_id: str
    code: str
    passphrase: str  # shown once to the reporter, stored only as an argon2id hash
    receipts: list[EvidenceReceipt]


@dataclass(frozen=True)
class ThreadMessage:
    id: str
    author: MessageAuthor
    body: str
    created_at: datetime
    internal: bool = False
    staff_email: str | None = None  # filled for staff views only


@dataclass(frozen=True)
class CaseDetail:
    case_id: str
    code: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    description: str
    kinds: list[CaseKind]
    platforms: list[str]
    other_platform: str | None
    urls: list[str]
    incident_dates: str | None
    author_handles: list[str]
    victim_is_minor: bool
    reporter_role: ReporterRole
    contact: str | None
    evidence: list[EvidenceReceipt]
    messages: list[ThreadMessage]


@dataclass(frozen=True)
class AttemptPolicy:
    """Wrong passphrases allowed per case code within the window before it is locked."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> AttemptPolicy:
        return cls(settings.passphrase_attempts,
                   timedelta(seconds=settings.passphrase_window_seconds))


def _now() -> datetime:
    return datetime.now(UTC)


def _validated(report: NewReport) -> ReportFields:
    try:
        return validate_report(ReportFields(
            description=report.description, kinds=tuple(report.kinds),
            platforms=tuple(report.platforms), other_platform=report.other_platform,
            urls=tuple(report.urls), incident_dates=report.incident_dates,
            author_handles=tuple(report.author_handles), victim_is_minor=report.victim_is_minor,
            reporter_role=report.reporter_role, contact=report.contact))
    except InvalidReportFields as problem:
        raise InvalidReport(str(problem)) from None


def _unique_code(uow: UnitOfWork) -> str:
    for _ in range(20):
        code = passphrase.new_case_code()
        if not uow.cases.code_exists(code):
            return code
    raise RuntimeError("could not draw an unused case code")


def _receipt(item: EvidenceRecord) -> EvidenceReceipt:
    return EvidenceReceipt(item.id, item.file_name, item.media_type, item.size, item.sha256,
                           _aware(item.received_at))


def _store_checked(uow: UnitOfWork, store: EvidenceStore, case_id: str,
                   checked: list[CheckedUpload], now: datetime) -> list[EvidenceReceipt]:
    items = []
    for upload in checked:
        item_id = str(uuid.uuid4())
        blob = store.put(case_id, item_id, upload.content)
        if blob.size != upload.size:
            raise UploadRejected("the file changed while it was being stored")
        item = EvidenceRecord(id=item_id, case_id=case_id, file_name=upload.file_name,
                              media_type=upload.media_type, size=blob.size, sha256=blob.sha256,
                              received_at=now)
        uow.cases.add_evidence(item)
        items.append(item)
    # Custody ledger (issue 3): the "received" entries commit with the items, or not at all.
    leaves = custody_log.items_received(uow.session, case_id, [(i.id, i.sha256) for i in items])
    return [replace(_receipt(item), leaf_index=leaf)
            for item, leaf in zip(items, leaves, strict=True)]


def submit_report(uow: UnitOfWork, store: EvidenceStore, report: NewReport,
                  uploads: list[Upload], limits: UploadLimits) -> SubmittedReport:
    fields = _validated(report)
    case_id = str(uuid.uuid4())
    secret = passphrase.new_passphrase()
    secret_hash = hashing.hash_secret(passphrase.normalize_passphrase(secret))
    with ExitStack() as stack:
        checked = check_uploads(uploads, limits, stack)
        try:
            with uow:
                now = _now()
                code = _unique_code(uow)
                uow.cases.add(_new_case(case_id, code, secret_hash, fields, now))
                receipts = _store_checked(uow, store, case_id, checked, now)
                audit.record(uow, Actor.REPORTER, AuditAction.CASE_SUBMITTED, case_id=case_id,
                             detail={"files": len(receipts), "role": fields.reporter_role.value})
                uow.commit()
        except BaseException:
            store.delete_case(case_id)
            raise
    log.info("case.submitted", case_id=case_id, files=len(receipts))
    return SubmittedReport(case_id, code, secret, receipts)


def _new_case(case_id: str, code: str, secret_hash: str, fields: ReportFields,
              now: datetime) -> CaseRecord:
    return CaseRecord(
        id=case_id, code=code, passphrase_hash=secret_hash, status=CaseStatus.RECEIVED.value,
        kinds=[k.value for k in fields.kinds], description=fields.description,
        platforms=list(fields.platforms), other_platform=fields.other_platform,
        urls=list(fields.urls), incident_dates=fields.incident_dates,
        author_handles=list(fields.author_handles), victim_is_minor=fields.victim_is_minor,
        reporter_role=fields.reporter_role.value, contact=fields.contact, labels=[],
        priority=triage.priority(fields.victim_is_minor, fields.kinds),
        created_at=now, updated_at=now)


def _attempt_key(code: str) -> str:
    canonical = passphrase.normalize_case_code(code) or code.strip().upper()[:100]
    return hashlib.sha256(f"case:{canonical}".encode()).hexdigest()


def open_case(uow: UnitOfWork, code: str, passphrase_typed: str,
              policy: AttemptPolicy | None = None) -> str:
    """The case id if code and passphrase match. The refusal is the same whether or not the
    code exists, and the lock applies to any code typed, existing or not."""
    policy = policy or AttemptPolicy()
    key, now = _attempt_key(code), _now()
    normalized = passphrase.normalize_case_code(code)
    with uow:
        case = uow.cases.get_by_code(normalized) if normalized else None
        case_id = case.id if case else None
        if uow.attempts.failures_since(key, now - policy.window) >= policy.max_failures:
            hashing.burn_verify_time(passphrase_typed[:MAX_PASSPHRASE_CHARS])
            audit.record(uow, Actor.REPORTER, AuditAction.CASE_LOCKED, case_id=case_id)
            uow.commit()
            raise TooManyAttempts()
        typed = passphrase.normalize_passphrase(passphrase_typed[:MAX_PASSPHRASE_CHARS])
        if case is None:
            hashing.burn_verify_time(typed)
        if case is None or not hashing.verify_secret(case.passphrase_hash, typed):
            uow.attempts.purge_before(now - policy.window)  # the table only holds live counts
            uow.attempts.record_failure(key, now)
            audit.record(uow, Actor.REPORTER, AuditAction.CASE_OPEN_REFUSED, case_id=case_id)
            uow.commit()
            raise CaseAccessDenied()
        uow.attempts.clear(key)
        audit.record(uow, Actor.REPORTER, AuditAction.CASE_OPENED, case_id=case.id)
        uow.commit()
        return case.id


def issue_case_token(uow: UnitOfWork, case_id: str, ttl_seconds: int) -> str:
    """A random bearer token for the API, valid ``ttl_seconds``; only its hash is stored."""
    token, now = secrets.token_urlsafe(32), _now()
    with uow:
        uow.cases.purge_expired_tokens(now)
        uow.cases.add_token(CaseTokenRecord(token_hash=hashing.token_digest(token), case_id=case_id,
                                            expires_at=now + timedelta(seconds=ttl_seconds)))
        uow.commit()
    return token


def case_for_token(uow: UnitOfWork, token: str) -> str:
    """The case id of a valid token; CaseAccessDenied if unknown, expired or withdrawn."""
    with uow:
        found = uow.cases.get_token(hashing.token_digest(token)) if token else None
        if found is None or _aware(found.expires_at) <= _now():
            raise CaseAccessDenied()
        return found.case_id


def _aware(at: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored in UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _thread(uow: UnitOfWork, case_id: str, include_internal: bool,
            with_staff: bool) -> list[ThreadMessage]:
    messages = []
    for m in uow.cases.messages(case_id, include_internal):
        email = None
        if with_staff and m.staff_id:
            account = uow.staff.get(m.staff_id)
            email = account.email if account else None
        messages.append(ThreadMessage(m.id, MessageAuthor(m.author), m.body,
                                      _aware(m.created_at), m.internal, email))
    return messages


def load_detail(uow: UnitOfWork, case_id: str, *, staff_view: bool = False) -> CaseDetail:
    """The case as shown (inside an open unit of work); staff views name the staff authors."""
    case = uow.cases.get(case_id)
    if case is None:
        raise CaseNotFound()
    return CaseDetail(
        case_id=case.id, code=case.code, status=CaseStatus(case.status),
        created_at=_aware(case.created_at), updated_at=_aware(case.updated_at),
        description=case.description, kinds=[CaseKind(k) for k in case.kinds],
        platforms=list(case.platforms), other_platform=case.other_platform,
        urls=list(case.urls), incident_dates=case.incident_dates,
        author_handles=list(case.author_handles), victim_is_minor=case.victim_is_minor,
        reporter_role=ReporterRole(case.reporter_role), contact=case.contact,
        evidence=_receipts_with_leaves(uow, case_id),
        messages=_thread(uow, case_id, include_internal=False, with_staff=staff_view))


def _receipts_with_leaves(uow: UnitOfWork, case_id: str) -> list[EvidenceReceipt]:
    leaves = custody_log.received_indexes(uow.session, case_id)  # custody ledger (issue 3)
    return [replace(_receipt(e), leaf_index=leaves.get(e.id)) for e in uow.cases.evidence(case_id)]


def case_detail(uow: UnitOfWork, case_id: str) -> CaseDetail:
    with uow:
        return load_detail(uow, case_id)


def add_evidence(uow: UnitOfWork, store: EvidenceStore, case_id: str, uploads: list[Upload],
                 limits: UploadLimits) -> list[EvidenceReceipt]:
    if not uploads:
        raise UploadRejected("choose at least one file")
    with uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        already = sum(e.size for e in uow.cases.evidence(case_id))
    with ExitStack() as stack:
        checked = check_uploads(uploads, limits, stack, already_stored=already)
        with uow:
            case = uow.cases.get(case_id)
            if case is None:
                raise CaseNotFound()
            now = _now()
            receipts = _store_checked(uow, store, case_id, checked, now)
            case.updated_at = now
            audit.record(uow, Actor.REPORTER, AuditAction.EVIDENCE_ADDED, case_id=case_id,
                         detail={"files": len(receipts)})
            uow.commit()
    return receipts


def post_reporter_message(uow: UnitOfWork, case_id: str, body: str) -> None:
    try:
        text = validate_message(body)
    except InvalidReportFields as problem:
        raise InvalidReport(str(problem)) from None
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        now = _now()
        uow.cases.add_message(MessageRecord(id=str(uuid.uuid4()), case_id=case_id,
                                            author=MessageAuthor.REPORTER.value, staff_id=None,
                                            internal=False, body=text, created_at=now))
        case.updated_at = now
        audit.record(uow, Actor.REPORTER, AuditAction.MESSAGE_POSTED, case_id=case_id,
                     detail={"author": MessageAuthor.REPORTER.value})
        uow.commit()


def withdraw_case(uow: UnitOfWork, store: EvidenceStore, case_id: str) -> None:
    """Delete the case, its rows and its evidence. Files go first: if the database step fails,
    the reporter can withdraw again, and nothing of the evidence is left readable meanwhile."""
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        store.delete_case(case_id)
        uow.cases.delete(case)
        # Custody ledger (issue 3): ids only, so the log stays valid after crypto-shredding.
        custody_log.case_shredded(uow.session, case_id)
        audit.record(uow, Actor.REPORTER, AuditAction.CASE_WITHDRAWN, case_id=case_id)
        uow.commit()
    log.info("case.withdrawn", case_id=case_id)


def open_item(uow: UnitOfWork, store: EvidenceStore, case_id: str, item_id: str
              ) -> tuple[EvidenceReceipt, Iterator[bytes]]:
    """Receipt and bytes of one item (inside an open unit of work)."""
    item = uow.cases.evidence_item(case_id, item_id)
    if item is None:
        raise CaseNotFound("evidence item")
    return _receipt(item), store.open(case_id, item_id)


def read_evidence(uow: UnitOfWork, store: EvidenceStore, case_id: str, item_id: str
                  ) -> tuple[EvidenceReceipt, Iterator[bytes]]:
    with uow:
        receipt, chunks = open_item(uow, store, case_id, item_id)
        audit.record(uow, Actor.REPORTER, AuditAction.EVIDENCE_VIEWED, case_id=case_id,
                     detail={"item_id": item_id})
        uow.commit()
    return receipt, chunks


def add_signals(uow: UnitOfWork, case_id: str, labels: set[str]) -> int:
    """Record signals found later (classifier labels...) and raise the triage priority;
    returns the new priority."""
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        merged = sorted(set(case.labels) | labels)
        case.labels = merged
        case.priority = triage.priority(case.victim_is_minor,
                                        [CaseKind(k) for k in case.kinds], merged)
        uow.commit()
        return case.priority
