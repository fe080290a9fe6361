"""Back-office use cases. Every function takes the acting StaffMember, checks its role here
(server-side, whatever the web layer did) and writes an audit event."""

from __future__ import annotations

import hashlib
import io
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from PIL import Image, ImageFilter

from rempart.domain import custody, triage
from rempart.domain import related as related_rules
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.cases import (
    CaseKind,
    CaseStatus,
    InvalidReportFields,
    MessageAuthor,
    ReporterRole,
    validate_message,
)
from rempart.domain.facts import ReportFacts
from rempart.domain.related import Raid
from rempart.domain.staff import Permission, StaffRole, can, normalize_email, password_problem
from rempart.evidence.interface import EvidenceStore
from rempart.media.safe_image import UnsafeImage, decode_rgb
from rempart.security import hashing, passphrase, totp
from rempart.security.totp_crypto import TotpSecretBox, TotpSecretError
from rempart.services import audit, notifications
from rempart.services.cases import (
    AttemptPolicy,
    CaseDetail,
    EvidenceReceipt,
    ThreadMessage,
    _aware,
    _thread,
    claim_attempt,
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
from rempart.store.staff_desk import QueueData, QueueQuery, RowExtras, desk
from rempart.store.tables import CaseRecord, MessageRecord, StaffRecord, StaffSessionRecord
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
    was wrong is never said), TooManyAttempts while the e-mail waits after repeated failures.
    Each attempt is counted (committed) before the argon2 check, so concurrent logins cannot
    outrun the limit (``AttemptPolicy``: a delay that grows, not a permanent lock).

    A stored secret that does not open under ``box`` (wrong instance key, altered or copied
    value) raises TotpSecretError: the login fails closed and the operator gets the reason."""
    policy = policy or AttemptPolicy()
    key, now = _login_key(email), _now()
    address = email.strip().lower()
    with uow:
        wait = claim_attempt(uow, key, policy, now)
        record = uow.staff.get_by_email(address)
        staff_id, password_hash = (record.id, record.password_hash) if record else (None, None)
        if wait:
            audit.record(uow, Actor.STAFF, AuditAction.STAFF_LOGIN_FAILED, staff_id=staff_id,
                         detail={"throttled": True})
        uow.commit()
    if wait:
        raise TooManyAttempts(wait)
    if password_hash is None:
        hashing.burn_verify_time(password[:1024])
        password_ok = False
    else:
        password_ok = hashing.verify_secret(password_hash, password[:1024])
    with uow:
        record = uow.staff.get(staff_id) if staff_id else None
        ok = False
        if record is not None and password_ok and record.active:
            step = totp.accepted_step(_open_secret(box, record), totp_code,
                                      record.last_totp_step)
            if step is not None:
                record.last_totp_step, record.last_login_at, ok = step, now, True
        if not ok or record is None:
            audit.record(uow, Actor.STAFF, AuditAction.STAFF_LOGIN_FAILED, staff_id=staff_id)
            uow.commit()
            raise LoginFailed()
        uow.throttle.clear(key)
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

ME = "me"  # the assignee filter for the acting member's own cases
NOBODY = "none"


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: every value optional; ``search`` goes through services.search."""

    status: CaseStatus | None = None
    kind: CaseKind | None = None
    platform: str | None = None
    assignee: str | None = None  # ME, NOBODY, a staff id, or None for everyone
    overdue: bool = False
    search: str = ""


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
    reasons: list[triage.Reason] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    assignee_id: str | None = None
    assignee_email: str | None = None
    never_seen: bool = True  # the acting member never opened it
    new_messages: int = 0  # reporter messages since the member last opened it
    new_evidence: int = 0
    unanswered_since: datetime | None = None  # waiting for an answer since
    first_response: timedelta | None = None  # from the report to the first reply
    last_reporter_at: datetime | None = None
    overdue: bool = False
    raid: bool = False  # one of the cases of a raid alert


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: int  # from 1
    page_size: int
    has_next: bool
    raids: list[Raid] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: _now())

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_position(self) -> int:
        """The position (from 1) of the page's first case in the whole queue."""
        return (self.page - 1) * self.page_size + 1


@dataclass(frozen=True)
class Assignment:
    staff_id: str
    email: str
    since: datetime


@dataclass(frozen=True)
class StaffCaseDetail:
    case: CaseDetail
    notes: list[ThreadMessage]  # internal, never shown to the reporter
    priority: int
    labels: list[str]
    reasons: list[triage.Reason] = field(default_factory=list)
    assignment: Assignment | None = None
    previous_visit: datetime | None = None  # the acting member's last visit before this one
    first_response: timedelta | None = None
    unanswered_since: datetime | None = None
    colleagues: list[StaffMember] = field(default_factory=list)  # for a handover


def _case_facts(record: CaseRecord) -> ReportFacts | None:
    """The facts stored with the case, when the case table has them (issue 11)."""
    stored = getattr(record, "facts", None)
    if isinstance(stored, ReportFacts):
        return stored
    if isinstance(stored, dict) and stored:
        try:
            return ReportFacts.from_dict(stored)
        except ValueError:
            return None
    return None


def case_reasons(record: CaseRecord) -> list[triage.Reason]:
    return triage.reasons(record.victim_is_minor, [CaseKind(k) for k in record.kinds],
                          record.labels, _case_facts(record))


def _overdue(score: int, unanswered_since: datetime | None, now: datetime) -> bool:
    return unanswered_since is not None and now - unanswered_since > triage.response_due(score)


def _raid_alerts(uow: UnitOfWork, now: datetime) -> list[Raid]:
    since = now - related_rules.RAID_WINDOW * 2
    keys = [related_rules.CaseKeys(i, c, tuple(h), _aware(at))
            for i, c, h, _, at in desk(uow).case_keys(since)]
    return related_rules.raids(keys)


def queue(uow: UnitOfWork, staff: StaffMember, filters: QueueFilters | None = None,
          page: int = 1, page_size: int = QUEUE_PAGE_SIZE, *, status: CaseStatus | None = None,
          kind: CaseKind | None = None) -> QueuePage:
    """One page of cases, most urgent first (rempart.domain.triage), then the one waiting
    longest for an answer; filtered and searched (``status``/``kind``: shorthands for the
    filters of the same names). ``page`` counts from 1 up to MAX_QUEUE_PAGE; anything else is
    a StaffError."""
    _require(staff, Permission.VIEW_QUEUE)
    filters = filters or QueueFilters(status=status, kind=kind)
    if not 1 <= page <= MAX_QUEUE_PAGE:
        raise StaffError(f"the page number must be between 1 and {MAX_QUEUE_PAGE}")
    if not 1 <= page_size <= MAX_QUEUE_PAGE_SIZE:
        raise StaffError(f"a page holds 1 to {MAX_QUEUE_PAGE_SIZE} cases")
    found_ids = None
    if filters.search.strip():
        from rempart.services.search import search_cases

        found_ids = frozenset(search_cases(uow, staff, filters.search))
    assignee = {ME: staff.id}.get(filters.assignee or "", filters.assignee)
    now = _now()
    with uow:
        _check_active(uow, staff)
        repo = desk(uow)
        # One case more than the page says whether there is a next page, without a COUNT.
        found = repo.queue(QueueQuery(
            status=filters.status.value if filters.status else None,
            kind=filters.kind.value if filters.kind else None, platform=filters.platform,
            assignee=assignee, overdue=filters.overdue, case_ids=found_ids),
            now, {triage.URGENT_FROM: triage.URGENT_RESPONSE}, triage.USUAL_RESPONSE,
            limit=page_size + 1, offset=(page - 1) * page_size)
        has_next, found = len(found) > page_size, found[:page_size]
        ids = [row.case.id for row in found]
        counts = uow.cases.evidence_counts(ids)
        extras = repo.extras(ids, staff.id)
        raids = _raid_alerts(uow, now)
        audit.record(uow, Actor.STAFF, AuditAction.QUEUE_VIEWED, staff_id=staff.id, detail={
            "status": filters.status.value if filters.status else None,
            "kind": filters.kind.value if filters.kind else None,
            "assignee": filters.assignee, "overdue": filters.overdue,
            "search": bool(filters.search.strip()), "page": page})
        uow.commit()
        in_raid = {case_id for raid in raids for case_id in raid.case_ids}
        rows = [_queue_row(row, counts.get(row.case.id, 0), extras, now, row.case.id in in_raid)
                for row in found]
        return QueuePage(rows, page, page_size, has_next, raids, now)


def _queue_row(row: QueueData, evidence_count: int, extras: RowExtras, now: datetime,
               raid: bool) -> QueueRow:
    c = row.case
    seen = extras.seen.get(c.id)
    seen_at = _aware(seen) if seen else None
    unanswered = _aware(row.unanswered_since) if row.unanswered_since else None
    first = (_aware(row.first_reply_at) - _aware(c.created_at)) if row.first_reply_at else None
    assignee = extras.assignee.get(c.id)

    def newer(times: list[datetime]) -> int:
        return sum(1 for at in times if seen_at is None or _aware(at) > seen_at)
    return QueueRow(
        c.id, c.code, CaseStatus(c.status), [CaseKind(k) for k in c.kinds], c.victim_is_minor,
        ReporterRole(c.reporter_role), c.priority, list(c.labels), _aware(c.created_at),
        _aware(c.updated_at), evidence_count, reasons=case_reasons(c),
        platforms=[*c.platforms, *([c.other_platform] if c.other_platform else [])],
        assignee_id=assignee[0] if assignee else None,
        assignee_email=assignee[1] if assignee else None, never_seen=seen_at is None,
        new_messages=newer(extras.reporter_times.get(c.id, [])) if seen_at else 0,
        new_evidence=newer(extras.evidence_times.get(c.id, [])) if seen_at else 0,
        unanswered_since=unanswered, first_response=first,
        last_reporter_at=_aware(row.last_reporter_at) if row.last_reporter_at else None,
        overdue=_overdue(c.priority, unanswered, now), raid=raid)


def staff_case_detail(uow: UnitOfWork, staff: StaffMember, case_id: str) -> StaffCaseDetail:
    """The case as staff see it; marks it seen by this member (one audit entry per view)."""
    _require(staff, Permission.VIEW_CASE)
    with uow:
        _check_active(uow, staff)
        detail = load_detail(uow, case_id, staff_view=True)
        record = uow.cases.get(case_id)
        assert record is not None
        notes = [m for m in _thread(uow, case_id, include_internal=True, with_staff=True)
                 if m.internal]
        repo = desk(uow)
        now = _now()
        previous = repo.mark_seen(staff.id, case_id, now)
        assignment = _assignment(uow, case_id)
        first_reply = repo.first_reply_at(case_id)
        audit.record(uow, Actor.STAFF, AuditAction.CASE_VIEWED, case_id=case_id,
                     staff_id=staff.id)
        uow.commit()
        unanswered = _unanswered_since(detail, record.status)
        colleagues = [_member(r) for r in uow.staff.list_all() if r.active
                      and can(StaffRole(r.role), Permission.TAKE_CASE)]
        return StaffCaseDetail(
            detail, notes, record.priority, list(record.labels), reasons=case_reasons(record),
            assignment=assignment, previous_visit=_aware(previous) if previous else None,
            first_response=(_aware(first_reply) - detail.created_at) if first_reply else None,
            unanswered_since=unanswered, colleagues=colleagues)


def _unanswered_since(detail: CaseDetail, status: str) -> datetime | None:
    if status == CaseStatus.CLOSED.value:
        return None
    waiting: datetime | None = detail.created_at
    for message in detail.messages:
        if message.author == MessageAuthor.STAFF:
            waiting = None
        elif waiting is None:
            waiting = message.created_at
    return waiting


def _assignment(uow: UnitOfWork, case_id: str) -> Assignment | None:
    found = desk(uow).assignment(case_id)
    if found is None:
        return None
    account = uow.staff.get(found.staff_id)
    return Assignment(found.staff_id, account.email if account else "", _aware(found.assigned_at))


def colleagues(uow: UnitOfWork, staff: StaffMember, everyone: bool = False
               ) -> list[StaffMember]:
    """Active members who can take cases (assignee filter, handover), or every account
    (``everyone``: the audit log's person filter)."""
    _require(staff, Permission.VIEW_QUEUE)
    with uow:
        _check_active(uow, staff)
        return [_member(r) for r in uow.staff.list_all() if everyone or (
            r.active and can(StaffRole(r.role), Permission.TAKE_CASE))]


def assign(uow: UnitOfWork, staff: StaffMember, case_id: str, to_staff_id: str | None,
           note: str = "") -> None:
    """Take a case (``to_staff_id`` = the member's own id), hand it over to a colleague with
    an optional note (kept as an internal note), or release it (None)."""
    _require(staff, Permission.TAKE_CASE)
    text = note.strip()
    if text:
        try:
            text = validate_message(text)
        except InvalidReportFields as problem:
            raise InvalidReport(str(problem)) from None
    with uow:
        _check_active(uow, staff)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        repo = desk(uow)
        now = _now()
        if to_staff_id is None:
            repo.unassign(case_id)
        else:
            target = uow.staff.get(to_staff_id)
            if target is None or not target.active or not can(StaffRole(target.role),
                                                              Permission.TAKE_CASE):
                raise InvalidReport("this colleague cannot take cases")
            repo.assign(case_id, to_staff_id, staff.id, now)
        if text:
            uow.cases.add_message(MessageRecord(
                id=str(uuid.uuid4()), case_id=case_id, author=MessageAuthor.STAFF.value,
                staff_id=staff.id, internal=True, body=text, created_at=now))
        audit.record(uow, Actor.STAFF, AuditAction.CASE_ASSIGNED, case_id=case_id,
                     staff_id=staff.id, detail={
                         "to": to_staff_id, "note": bool(text),
                         "how": "released" if to_staff_id is None else
                         "taken" if to_staff_id == staff.id else "handed_over"})
        uow.commit()


def staff_read_evidence(uow: UnitOfWork, store: EvidenceStore, staff: StaffMember, case_id: str,
                        item_id: str) -> tuple[EvidenceReceipt, Iterator[bytes]]:
    _require(staff, Permission.VIEW_EVIDENCE)
    with uow:
        _check_active(uow, staff)
        receipt, chunks = open_item(uow, store, case_id, item_id)
        # Custody ledger (issue 3): every staff view of evidence is on record.
        uow.ledger.append(custody.viewed(case_id, item_id, receipt.sha256,
                                         custody.ActorRole.STAFF, datetime.now(UTC)))
        audit.record(uow, Actor.STAFF, AuditAction.EVIDENCE_VIEWED, case_id=case_id,
                     staff_id=staff.id, detail={"item_id": item_id})
        uow.commit()
    return receipt, chunks


def evidence_receipt(uow: UnitOfWork, staff: StaffMember, case_id: str, item_id: str
                     ) -> tuple[str, EvidenceReceipt]:
    """The case code and the receipt of one item (the viewer page; the bytes are fetched,
    and audited, by ``staff_read_evidence``)."""
    _require(staff, Permission.VIEW_EVIDENCE)
    with uow:
        _check_active(uow, staff)
        case = uow.cases.get(case_id)
        item = uow.cases.evidence_item(case_id, item_id)
        if case is None or item is None:
            raise CaseNotFound("evidence item")
        return case.code, EvidenceReceipt(item.id, item.file_name, item.media_type, item.size,
                                          item.sha256, _aware(item.received_at))


PREVIEW_SIDE = 320


def staff_preview(uow: UnitOfWork, store: EvidenceStore, staff: StaffMember, case_id: str,
                  item_id: str) -> bytes:
    """A small, heavily blurred PNG of an image item for the case page: shapes and colours
    only, so it is part of the case view (audited once) and not a view of the evidence;
    revealing the image fetches it through ``staff_read_evidence``, which is recorded."""
    _require(staff, Permission.VIEW_EVIDENCE)
    with uow:
        _check_active(uow, staff)
        _, chunks = open_item(uow, store, case_id, item_id)
        content = b"".join(chunks)
    return blurred_preview(content)


def blurred_preview(content: bytes) -> bytes:
    try:
        image = decode_rgb(content)
    except UnsafeImage:
        image = Image.new("RGB", (PREVIEW_SIDE, PREVIEW_SIDE // 2), "#777777")
    image.thumbnail((PREVIEW_SIDE // 8, PREVIEW_SIDE // 8))  # 40 px: nothing can be read
    image = image.resize((PREVIEW_SIDE, max(1, PREVIEW_SIDE * image.height // image.width)))
    image = image.filter(ImageFilter.GaussianBlur(12))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


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
            notifications.queue_notification(uow, case_id, "reply")  # e-mail: "a new message"
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
    notifications.dispatch_if_pending(uow, case_id)  # the reporter's e-mail, if they left one


@dataclass(frozen=True)
class AuditFilters:
    staff_id: str | None = None
    case_code: str | None = None  # as typed; normalised here
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditLine:
    """One audit event as the log page shows it: the case by its code, the person by e-mail."""

    at: datetime
    actor: str
    staff_email: str | None
    action: str
    case_id: str | None
    case_code: str | None
    detail: dict[str, object]


def audit_log(uow: UnitOfWork, staff: StaffMember, limit: int = 200,
              filters: AuditFilters | None = None, export: bool = False) -> list[AuditLine]:
    """The latest audit events, newest first, filtered (admins only); reading it is itself
    audited (one entry), and so is an export."""
    _require(staff, Permission.EXPORT_AUDIT if export else Permission.READ_AUDIT)
    filters = filters or AuditFilters()
    with uow:
        _check_active(uow, staff)
        case_id = None
        if filters.case_code:
            code = passphrase.normalize_case_code(filters.case_code)
            case = uow.cases.get_by_code(code) if code else None
            if case is None:
                raise CaseNotFound()
            case_id = case.id
        audit.record(uow, Actor.STAFF,
                     AuditAction.AUDIT_EXPORTED if export else AuditAction.AUDIT_READ,
                     staff_id=staff.id, case_id=case_id, detail={
                         "staff": filters.staff_id, "action": filters.action,
                         "since": filters.since.isoformat() if filters.since else None,
                         "until": filters.until.isoformat() if filters.until else None})
        uow.commit()
        rows = desk(uow).audit_rows(filters.staff_id, case_id, filters.action, filters.since,
                                    filters.until, max(1, min(limit, MAX_AUDIT_ROWS)))
        return [AuditLine(_aware(e.at), e.actor, email, e.action, e.case_id, code,
                          dict(e.detail)) for e, email, code in rows]
