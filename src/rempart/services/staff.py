"""Back-office use cases. Every function takes the acting StaffMember, checks its role here
(server-side, whatever the web layer did) and writes an audit event."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from rempart.domain.audit import Actor, AuditAction
from rempart.domain.cases import (
    CaseKind,
    CaseStatus,
    InvalidReportFields,
    MessageAuthor,
    ReporterRole,
    validate_message,
)
from rempart.domain.staff import Permission, StaffRole, can, normalize_email, password_problem
from rempart.evidence import custody_log
from rempart.evidence.interface import EvidenceStore
from rempart.security import hashing, totp
from rempart.security.totp_crypto import TotpSecretBox, TotpSecretError
from rempart.services import audit
from rempart.services.audit import AuditEntry
from rempart.services.cases import (
    AttemptPolicy,
    CaseDetail,
    EvidenceReceipt,
    ThreadMessage,
    _aware,
    _thread,
    load_detail,
    open_item,
)
from rempart.services.errors import (
    CaseNotFound,
    Forbidden,
    InvalidReport,
    LoginFailed,
    StaffError,
    TooManyAttempts,
)
from rempart.store.tables import MessageRecord, StaffRecord, StaffSessionRecord
from rempart.store.uow import UnitOfWork

MAX_AUDIT_ROWS = 1000
QUEUE_PAGE_SIZE = 50
MAX_QUEUE_PAGE_SIZE = 1000
MAX_QUEUE_PAGE = 10_000  # 500,000 cases: a higher page number is a typo or a probe
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class StaffMember:
    id: str
    email: str
    role: StaffRole
    active: bool = True


@dataclass(frozen=True)
class QueueRow:
    case_id: str
    code: str
    status: CaseStatus
    kinds: list[CaseKind]
    victim_is_minor: bool
    reporter_role: ReporterRole
    priority: int
    labels: list[str]
    created_at: datetime
    updated_at: datetime
    evidence_count: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: int  # from 1
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_position(self) -> int:
        """The position (from 1) of the page's first case in the whole queue."""
        return (self.page - 1) * self.page_size + 1


@dataclass(frozen=True)
class StaffCaseDetail:
    case: CaseDetail
    notes: list[ThreadMessage]  # internal, never shown to the reporter
    priority: int
    labels: list[str]


def _now() -> datetime:
    return datetime.now(UTC)


def _member(record: StaffRecord) -> StaffMember:
    return StaffMember(record.id, record.email, StaffRole(record.role), record.active)


def _require(staff: StaffMember, permission: Permission) -> None:
    if not staff.active or not can(staff.role, permission):
        raise Forbidden(permission.value.replace("_", " "))


def _check_active(uow: UnitOfWork, staff: StaffMember) -> None:
    """The account may have been disabled since the session started."""
    record = uow.staff.get(staff.id)
    if record is None or not record.active:
        raise Forbidden("a disabled account")


def require_permission(uow: UnitOfWork, staff: StaffMember, permission: Permission) -> None:
    """For other services (documents...): the account is active and its role allows this."""
    _require(staff, permission)
    _check_active(uow, staff)


# Accounts (command line: the operator acts, so no StaffMember) ---------------------------------

def add_staff(uow: UnitOfWork, box: TotpSecretBox, email: str, password: str, role: StaffRole
              ) -> tuple[StaffMember, str]:
    """Create an account; returns it and its TOTP secret (to show once; stored sealed by
    ``box``, bound to the account id)."""
    try:
        address = normalize_email(email)
    except ValueError as bad_email:
        raise StaffError(str(bad_email)) from None
    weak = password_problem(password)
    if weak:
        raise StaffError(weak)
    secret = totp.new_secret()
    password_hash = hashing.hash_secret(password)
    with uow:
        if uow.staff.get_by_email(address) is not None:
            raise StaffError(f"an account already exists for {address}")
        staff_id = str(uuid.uuid4())
        record = StaffRecord(id=staff_id, email=address, password_hash=password_hash,
                             totp_secret=box.seal(staff_id, secret), last_totp_step=None,
                             role=role.value, active=True, created_at=_now(),
                             last_login_at=None)
        uow.staff.add(record)
        audit.record(uow, Actor.OPERATOR, AuditAction.STAFF_CREATED, staff_id=record.id,
                     detail={"role": role.value})
        uow.commit()
    return _member(record), secret


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    with uow:
        return [_member(r) for r in uow.staff.list_all()]


def disable_staff(uow: UnitOfWork, email: str) -> StaffMember:
    try:
        address = normalize_email(email)
    except ValueError as problem:
        raise StaffError(str(problem)) from None
    with uow:
        record = uow.staff.get_by_email(address)
        if record is None:
            raise StaffError(f"no account for {address}")
        record.active = False
        uow.staff.delete_sessions_of(record.id)
        audit.record(uow, Actor.OPERATOR, AuditAction.STAFF_DISABLED, staff_id=record.id)
        uow.commit()
        return _member(record)


# Login and sessions --------------------------------------------------------------------------

def _login_key(email: str) -> str:
    return hashlib.sha256(f"staff:{email.strip().lower()[:254]}".encode()).hexdigest()


def authenticate(uow: UnitOfWork, box: TotpSecretBox, email: str, password: str,
                 totp_code: str, policy: AttemptPolicy | None = None) -> StaffMember:
    """The staff member if password AND TOTP code are right; LoginFailed otherwise (which part
    was wrong is never said), TooManyAttempts after repeated failures for that e-mail.

    A stored secret that does not open under ``box`` (wrong instance key, altered or copied
    value) raises TotpSecretError: the login fails closed and the operator gets the reason.
    It is not counted as a failed attempt: the person typing is not at fault."""
    policy = policy or AttemptPolicy()
    key, now = _login_key(email), _now()
    with uow:
        if uow.attempts.failures_since(key, now - policy.window) >= policy.max_failures:
            raise TooManyAttempts()
        record = uow.staff.get_by_email(email.strip().lower())
        ok = False
        if record is None:
            hashing.burn_verify_time(password[:1024])
        elif hashing.verify_secret(record.password_hash, password[:1024]) and record.active:
            step = totp.accepted_step(_open_secret(box, record), totp_code,
                                      record.last_totp_step)
            if step is not None:
                record.last_totp_step, record.last_login_at, ok = step, now, True
        if not ok or record is None:
            uow.attempts.record_failure(key, now)
            audit.record(uow, Actor.STAFF, AuditAction.STAFF_LOGIN_FAILED,
                         staff_id=record.id if record else None)
            uow.commit()
            raise LoginFailed()
        uow.attempts.clear(key)
        audit.record(uow, Actor.STAFF, AuditAction.STAFF_LOGIN, staff_id=record.id)
        uow.commit()
        return _member(record)


def _open_secret(box: TotpSecretBox, record: StaffRecord) -> str:
    try:
        return box.open(record.id, record.totp_secret)
    except TotpSecretError as problem:
        log.error("staff_totp_secret_unreadable", staff_id=record.id, reason=str(problem))
        raise


def start_session(uow: UnitOfWork, staff: StaffMember, ttl_seconds: int) -> str:
    """A random session token (for a cookie); only its hash is stored, it expires."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with uow:
        uow.staff.purge_expired_sessions(now)
        uow.staff.add_session(StaffSessionRecord(
            token_hash=hashing.token_digest(token), staff_id=staff.id, created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds)))
        uow.commit()
    return token


def staff_for_session(uow: UnitOfWork, token: str) -> StaffMember:
    """The staff member of a live session; LoginFailed if unknown, expired or disabled."""
    with uow:
        session = uow.staff.get_session(hashing.token_digest(token)) if token else None
        if session is None or _aware(session.expires_at) <= _now():
            raise LoginFailed()
        record = uow.staff.get(session.staff_id)
        if record is None or not record.active:
            raise LoginFailed()
        return _member(record)


def end_session(uow: UnitOfWork, token: str) -> None:
    with uow:
        session = uow.staff.get_session(hashing.token_digest(token))
        if session is not None:
            uow.staff.delete_session(session.token_hash)
            audit.record(uow, Actor.STAFF, AuditAction.STAFF_LOGOUT, staff_id=session.staff_id)
            uow.commit()


# Case work -----------------------------------------------------------------------------------

def queue(uow: UnitOfWork, staff: StaffMember, status: CaseStatus | None = None,
          kind: CaseKind | None = None, page: int = 1, page_size: int = QUEUE_PAGE_SIZE
          ) -> QueuePage:
    """One page of cases, most urgent first (rempart.domain.triage), optionally filtered.
    ``page`` counts from 1 up to MAX_QUEUE_PAGE; anything else is a StaffError."""
    _require(staff, Permission.VIEW_QUEUE)
    if not 1 <= page <= MAX_QUEUE_PAGE:
        raise StaffError(f"the page number must be between 1 and {MAX_QUEUE_PAGE}")
    if not 1 <= page_size <= MAX_QUEUE_PAGE_SIZE:
        raise StaffError(f"a page holds 1 to {MAX_QUEUE_PAGE_SIZE} cases")
    with uow:
        _check_active(uow, staff)
        # One case more than the page says whether there is a next page, without a COUNT.
        cases = uow.cases.queue(status.value if status else None, kind.value if kind else None,
                                limit=page_size + 1, offset=(page - 1) * page_size)
        has_next, cases = len(cases) > page_size, cases[:page_size]
        counts = uow.cases.evidence_counts([c.id for c in cases])
        audit.record(uow, Actor.STAFF, AuditAction.QUEUE_VIEWED, staff_id=staff.id,
                     detail={"status": status.value if status else None,
                             "kind": kind.value if kind else None, "page": page})
        uow.commit()
        rows = [QueueRow(c.id, c.code, CaseStatus(c.status), [CaseKind(k) for k in c.kinds],
                         c.victim_is_minor, ReporterRole(c.reporter_role), c.priority,
                         list(c.labels), _aware(c.created_at), _aware(c.updated_at),
                         counts.get(c.id, 0)) for c in cases]
        return QueuePage(rows, page, page_size, has_next)


def staff_case_detail(uow: UnitOfWork, staff: StaffMember, case_id: str) -> StaffCaseDetail:
    _require(staff, Permission.VIEW_CASE)
    with uow:
        _check_active(uow, staff)
        detail = load_detail(uow, case_id, staff_view=True)
        record = uow.cases.get(case_id)
        assert record is not None
        notes = [m for m in _thread(uow, case_id, include_internal=True, with_staff=True)
                 if m.internal]
        audit.record(uow, Actor.STAFF, AuditAction.CASE_VIEWED, case_id=case_id,
                     staff_id=staff.id)
        uow.commit()
        return StaffCaseDetail(detail, notes, record.priority, list(record.labels))


def staff_read_evidence(uow: UnitOfWork, store: EvidenceStore, staff: StaffMember, case_id: str,
                        item_id: str) -> tuple[EvidenceReceipt, Iterator[bytes]]:
    _require(staff, Permission.VIEW_EVIDENCE)
    with uow:
        _check_active(uow, staff)
        receipt, chunks = open_item(uow, store, case_id, item_id)
        # Custody ledger (issue 3): every staff view of evidence is on record.
        custody_log.item_viewed(uow.session, case_id, item_id, receipt.sha256)
        audit.record(uow, Actor.STAFF, AuditAction.EVIDENCE_VIEWED, case_id=case_id,
                     staff_id=staff.id, detail={"item_id": item_id})
        uow.commit()
    return receipt, chunks


def set_status(uow: UnitOfWork, staff: StaffMember, case_id: str, status: CaseStatus) -> None:
    _require(staff, Permission.SET_STATUS)
    with uow:
        _check_active(uow, staff)
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        previous, case.status, case.updated_at = case.status, status.value, _now()
        audit.record(uow, Actor.STAFF, AuditAction.STATUS_CHANGED, case_id=case_id,
                     staff_id=staff.id, detail={"from": previous, "to": status.value})
        uow.commit()


def _post(uow: UnitOfWork, staff: StaffMember, case_id: str, body: str, internal: bool) -> None:
    try:
        text = validate_message(body)
    except InvalidReportFields as problem:
        raise InvalidReport(str(problem)) from None
    with uow:
        _check_active(uow, staff)
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        now = _now()
        uow.cases.add_message(MessageRecord(id=str(uuid.uuid4()), case_id=case_id,
                                            author=MessageAuthor.STAFF.value, staff_id=staff.id,
                                            internal=internal, body=text, created_at=now))
        action = AuditAction.NOTE_ADDED if internal else AuditAction.MESSAGE_POSTED
        if not internal:
            case.updated_at = now
        audit.record(uow, Actor.STAFF, action, case_id=case_id, staff_id=staff.id,
                     detail={"author": MessageAuthor.STAFF.value})
        uow.commit()


def add_note(uow: UnitOfWork, staff: StaffMember, case_id: str, body: str) -> None:
    """An internal note, visible to staff only."""
    _require(staff, Permission.ADD_NOTE)
    _post(uow, staff, case_id, body, internal=True)


def reply(uow: UnitOfWork, staff: StaffMember, case_id: str, body: str) -> None:
    """A message in the reporter's thread."""
    _require(staff, Permission.REPLY)
    _post(uow, staff, case_id, body, internal=False)


def audit_log(uow: UnitOfWork, staff: StaffMember, limit: int = 200,
              case_id: str | None = None) -> list[AuditEntry]:
    """The latest audit events, newest first (admins only); reading it is itself audited."""
    _require(staff, Permission.READ_AUDIT)
    with uow:
        _check_active(uow, staff)
        audit.record(uow, Actor.STAFF, AuditAction.AUDIT_READ, staff_id=staff.id,
                     case_id=case_id)
        uow.commit()
        return audit.entries(uow, max(1, min(limit, MAX_AUDIT_ROWS)), case_id)
