"""Reporter-side use cases: file a report, come back with code + passphrase, add evidence,
talk with responders, withdraw.

Audit events of reporters hold ids and counts only: no IP address, no content.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import structlog

from rempart.config import Settings
from rempart.domain import custody, triage
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.cases import (
    CaseKind,
    CaseStatus,
    InvalidReportFields,
    MessageAuthor,
    ReporterRole,
    ReportFields,
    incident_text,
    minor_from_facts,
    validate_message,
    validate_report,
)
from rempart.domain.facts import (
    Contradiction,
    InvalidFacts,
    ReportFacts,
    contradictions,
    validate_facts,
)
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
from rempart.store.access import ThrottleState
from rempart.store.tables import CaseRecord, CaseTokenRecord, EvidenceRecord, MessageRecord
from rempart.store.uow import UnitOfWork
from rempart.store.witness_tables import witnesses_if_stored

__all__ = ["Upload", "UploadLimits", "NewReport", "SubmittedReport", "EvidenceReceipt",
           "ThreadMessage", "CaseDetail", "AttemptPolicy", "submit_report", "open_case",
           "issue_case_token", "case_for_token", "reporter_session", "end_case_sessions",
           "new_passphrase", "claim_attempt", "case_detail", "add_evidence",
           "post_reporter_message", "withdraw_case", "read_evidence", "add_signals",
           "update_facts", "contradictions_of"]

log = structlog.get_logger(__name__)
MAX_PASSPHRASE_CHARS = 500


# What a reporter files: the domain's one shape (form, API and CLI build it; ``CaseDetail``
# extends it).
NewReport = ReportFields


@dataclass(frozen=True)
class EvidenceReceipt:
    item_id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    received_at: datetime
    leaf_index: int | None = None  # its "received" entry in the custody ledger (issue 3)
    already_in_case: bool = False  # the same file (SHA-256) was in the case: not stored again

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (the CLI prints it; the API's ``EvidenceOut`` has the same names)."""
        return {**vars(self), "received_at": self.received_at.isoformat()}


@dataclass(frozen=True)
class SubmittedReport:
    case_id: str
    code: str
    passphrase: str  # shown once to the reporter, stored only as an argon2id hash
    receipts: list[EvidenceReceipt]
    # What the answers and the text disagree on: shown to the reporter, stored as typed.
    contradictions: list[Contradiction] = field(default_factory=list)


@dataclass(frozen=True)
class ThreadMessage:
    id: str
    author: MessageAuthor
    body: str
    created_at: datetime
    internal: bool = False
    staff_email: str | None = None  # filled for staff views only


@dataclass(frozen=True, kw_only=True)
class CaseDetail(ReportFields):
    """The case as shown: what was filed (``ReportFields``, facts included), and its life."""

    case_id: str
    code: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    evidence: list[EvidenceReceipt]
    messages: list[ThreadMessage]


@dataclass(frozen=True)
class AttemptPolicy:
    """How many wrong secrets a key (case code, staff e-mail) may try before waiting.

    From the ``max_failures``-th failure in a row, the key waits ``first_delay``, then twice as
    long after each further failure, up to ``max_delay``: never a lock that whoever knows the
    code can keep on. Failures are forgotten after ``window`` without any attempt (counted
    from the end of the last wait). Attempts refused while waiting do not count."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> AttemptPolicy:
        return cls(settings.passphrase_attempts,
                   timedelta(seconds=settings.passphrase_window_seconds))

    def delay_after(self, failures: int) -> timedelta | None:
        if failures < self.max_failures:
            return None
        doublings = min(failures - self.max_failures, 32)
        return min(self.first_delay * 2 ** doublings, self.max_delay)

    def claim(self, state: ThrottleState, now: datetime) -> tuple[bool, ThrottleState, int]:
        """(allowed, the state to save, seconds to wait when refused). An allowed attempt is
        counted as a failure before its check; a success clears the key."""
        if state.blocked_until is not None and now < state.blocked_until:
            return False, state, max(1, math.ceil((state.blocked_until - now).total_seconds()))
        quiet_since = max(filter(None, (state.blocked_until, state.last_attempt_at)),
                          default=None)
        failures = state.failures if quiet_since and now - quiet_since < self.window else 0
        failures += 1
        delay = self.delay_after(failures)
        return True, ThrottleState(failures, now + delay if delay else None, now), 0


def claim_attempt(uow: UnitOfWork, key: str, policy: AttemptPolicy, now: datetime) -> int:
    """Count one attempt for ``key`` inside the open unit of work, before any check: 0 when the
    check may run, else the seconds to wait. The key's row stays locked until the commit."""
    allowed, state, wait = policy.claim(uow.throttle.lock(key), now)
    if allowed:
        uow.throttle.save(key, state)
    return wait


def _now() -> datetime:
    return datetime.now(UTC)


def _validated(report: ReportFields) -> ReportFields:
    try:
        return validate_report(report)
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


def _content_sha256(upload: CheckedUpload) -> str:
    digest = hashlib.sha256()
    while chunk := upload.content.read(1 << 20):
        digest.update(chunk)
    upload.content.seek(0)
    return digest.hexdigest()


def _store_checked(uow: UnitOfWork, store: EvidenceStore, case_id: str,
                   checked: list[CheckedUpload], now: datetime,
                   role: custody.ActorRole = custody.ActorRole.REPORTER
                   ) -> list[EvidenceReceipt]:
    """Store each new file; a file already in the case (same SHA-256, or twice in one batch)
    is not stored again: its receipt is the existing item's, marked ``already_in_case``.
    ``role`` is who brought the files, in their custody entries (a page capture: whoever
    asked for it)."""
    items = []
    known = {e.sha256: e for e in uow.cases.evidence(case_id)}
    order: list[EvidenceRecord | EvidenceReceipt] = []
    for upload in checked:
        existing = known.get(_content_sha256(upload))
        if existing is not None:
            order.append(replace(_receipt(existing), already_in_case=True))
            continue
        item_id = str(uuid.uuid4())
        blob = store.put(case_id, item_id, upload.content)
        if blob.size != upload.size:
            raise UploadRejected("the file changed while it was being stored")
        item = EvidenceRecord(id=item_id, case_id=case_id, file_name=upload.file_name,
                              media_type=upload.media_type, size=blob.size, sha256=blob.sha256,
                              received_at=now)
        uow.cases.add_evidence(item)
        items.append(item)
        order.append(item)
        known[item.sha256] = item
    # Custody ledger (issue 3): the "received" entries commit with the items, or not at all,
    # in one batch: one head lock and one insert for a whole report.
    at = _now()
    leaves = uow.ledger.append_many([custody.received(case_id, i.id, i.sha256, role, at)
                                     for i in items])
    stored = {item.id: replace(_receipt(item), leaf_index=leaf)
              for item, leaf in zip(items, leaves, strict=True)}
    return [stored[entry.id] if isinstance(entry, EvidenceRecord) else entry
            for entry in order]


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
                if fields.facts.known:
                    uow.ledger.append(_facts_event(case_id, fields.facts, now))
                audit.record(uow, Actor.REPORTER, AuditAction.CASE_SUBMITTED, case_id=case_id,
                             detail={"files": sum(not r.already_in_case for r in receipts),
                                     "role": fields.reporter_role.value})
                uow.commit()
        except BaseException:
            store.delete_case(case_id)
            raise
    log.info("case.submitted", case_id=case_id, files=len(receipts))
    found = contradictions(fields.facts, fields.description, now.date())
    return SubmittedReport(case_id, code, secret, receipts, found)


def _facts_event(case_id: str, facts: ReportFacts, at: datetime) -> custody.CustodyEvent:
    """The custody entry of the answers: their digest, never their values."""
    digest = hashlib.sha256(json.dumps(facts.as_dict(), sort_keys=True,
                                       separators=(",", ":")).encode()).hexdigest()
    return custody.CustodyEvent(custody.CustodyAction.FACTS_RECORDED, case_id,
                                custody.ActorRole.REPORTER, at, sha256=digest)


def update_facts(uow: UnitOfWork, case_id: str, facts: ReportFacts) -> list[str]:
    """The reporter corrects or completes the answers (case portal). What changed is stored
    with a custody entry (the new answers' digest) and an audit entry (the names changed, no
    values); the names changed are returned, none if nothing did."""
    try:
        facts = validate_facts(facts)
    except InvalidFacts as problem:
        raise InvalidReport(str(problem)) from None
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        before = ReportFacts.from_dict(dict(case.facts or {}))
        changed = sorted(name for name in facts.as_dict().keys() | before.as_dict().keys()
                         if getattr(facts, name) != getattr(before, name))
        if not changed:
            return []
        now = _now()
        case.facts = facts.as_dict()
        case.victim_is_minor = minor_from_facts(case.victim_is_minor, facts)
        case.updated_at = now
        uow.ledger.append(_facts_event(case_id, facts, now))
        audit.record(uow, Actor.REPORTER, AuditAction.FACTS_UPDATED, case_id=case_id,
                     detail={"facts": ",".join(changed)})
        uow.commit()
    return changed


def contradictions_of(detail: CaseDetail, today: date) -> list[Contradiction]:
    """What the stored answers and the report's text disagree on (case pages, back-office)."""
    return contradictions(detail.facts, detail.description, today)


def _new_case(case_id: str, code: str, secret_hash: str, fields: ReportFields,
              now: datetime) -> CaseRecord:
    return CaseRecord(
        id=case_id, code=code, passphrase_hash=secret_hash, status=CaseStatus.RECEIVED.value,
        kinds=[k.value for k in fields.kinds], description=fields.description,
        platforms=list(fields.platforms), other_platform=fields.other_platform,
        urls=list(fields.urls), incident_dates=incident_text(fields),
        author_handles=list(fields.author_handles), victim_is_minor=fields.victim_is_minor,
        reporter_role=fields.reporter_role.value, contact=fields.contact,
        facts=fields.facts.as_dict(), labels=[],
        priority=triage.priority(fields.victim_is_minor, fields.kinds, facts=fields.facts),
        created_at=now, updated_at=now)


def _attempt_key(code: str) -> str:
    canonical = passphrase.normalize_case_code(code) or code.strip().upper()[:100]
    return hashlib.sha256(f"case:{canonical}".encode()).hexdigest()


def open_case(uow: UnitOfWork, code: str, passphrase_typed: str,
              policy: AttemptPolicy | None = None) -> str:
    """The case id if code and passphrase match. The refusal is the same whether or not the
    code exists, and the throttle applies to any code typed, existing or not: the attempt is
    counted (committed) before the argon2 check, so concurrent guesses cannot outrun it."""
    policy = policy or AttemptPolicy()
    key, now = _attempt_key(code), _now()
    normalized = passphrase.normalize_case_code(code)
    with uow:
        case = uow.cases.get_by_code(normalized) if normalized else None
        case_id, stored_hash = (case.id, case.passphrase_hash) if case else (None, None)
        wait = claim_attempt(uow, key, policy, now)
        if wait:
            audit.record(uow, Actor.REPORTER, AuditAction.CASE_LOCKED, case_id=case_id)
        uow.commit()
    if wait:
        raise TooManyAttempts(wait)
    typed = passphrase.normalize_passphrase(passphrase_typed[:MAX_PASSPHRASE_CHARS])
    if stored_hash is None:
        hashing.burn_verify_time(typed)
    with uow:
        if case_id is None or stored_hash is None \
                or not hashing.verify_secret(stored_hash, typed):
            audit.record(uow, Actor.REPORTER, AuditAction.CASE_OPEN_REFUSED, case_id=case_id)
            uow.commit()
            raise CaseAccessDenied()
        uow.throttle.clear(key)
        audit.record(uow, Actor.REPORTER, AuditAction.CASE_OPENED, case_id=case_id)
        uow.commit()
        return case_id


@dataclass(frozen=True)
class ReporterSession:
    case_id: str
    expires_at: datetime


def issue_case_token(uow: UnitOfWork, case_id: str, ttl_seconds: int) -> str:
    """A random session token (API bearer token or web cookie) valid ``ttl_seconds`` from now:
    the expiry is stored at issue, whatever the setting of the server that reads it later.
    Only its hash is stored; ``end_case_sessions`` revokes it."""
    token, now = secrets.token_urlsafe(32), _now()
    with uow:
        uow.cases.purge_expired_tokens(now)
        uow.cases.add_token(CaseTokenRecord(token_hash=hashing.token_digest(token), case_id=case_id,
                                            expires_at=now + timedelta(seconds=ttl_seconds)))
        uow.commit()
    return token


def reporter_session(uow: UnitOfWork, token: str) -> ReporterSession:
    """The live session of a token; CaseAccessDenied if unknown, expired, ended or withdrawn."""
    with uow:
        found = uow.cases.get_token(hashing.token_digest(token)) if token else None
        if found is None or _aware(found.expires_at) <= _now() \
                or uow.cases.get(found.case_id) is None:
            raise CaseAccessDenied()
        return ReporterSession(found.case_id, _aware(found.expires_at))


def case_for_token(uow: UnitOfWork, token: str) -> str:
    """The case id of a valid token; CaseAccessDenied if unknown, expired or withdrawn."""
    return reporter_session(uow, token).case_id


def end_case_sessions(uow: UnitOfWork, case_id: str) -> int:
    """End every session of the case (web cookies and API tokens, on every device)."""
    with uow:
        ended = uow.reporter_sessions.end_case(case_id)
        audit.record(uow, Actor.REPORTER, AuditAction.CASE_CLOSED, case_id=case_id,
                     detail={"sessions": ended})
        uow.commit()
    return ended


def new_passphrase(uow: UnitOfWork, case_id: str) -> str:
    """Draw a new passphrase for the case (shown once) and end every session opened with the
    old one."""
    secret = passphrase.new_passphrase()
    secret_hash = hashing.hash_secret(passphrase.normalize_passphrase(secret))
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        case.passphrase_hash = secret_hash
        ended = uow.reporter_sessions.end_case(case_id)
        audit.record(uow, Actor.REPORTER, AuditAction.PASSPHRASE_CHANGED, case_id=case_id,
                     detail={"sessions": ended})
        uow.commit()
    return secret


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
        **vars(fields_of(case)), case_id=case.id, code=case.code,
        status=CaseStatus(case.status), created_at=_aware(case.created_at),
        updated_at=_aware(case.updated_at), evidence=_receipts_with_leaves(uow, case_id),
        messages=_thread(uow, case_id, include_internal=False, with_staff=staff_view))


def fields_of(case: CaseRecord) -> ReportFields:
    """What was filed, read back from its row."""
    return ReportFields(
        description=case.description, kinds=tuple(CaseKind(k) for k in case.kinds),
        platforms=tuple(case.platforms), other_platform=case.other_platform,
        urls=tuple(case.urls), incident_dates=case.incident_dates,
        author_handles=tuple(case.author_handles), victim_is_minor=case.victim_is_minor,
        reporter_role=ReporterRole(case.reporter_role), contact=case.contact,
        facts=ReportFacts.from_dict(dict(case.facts or {})))


def _receipts_with_leaves(uow: UnitOfWork, case_id: str) -> list[EvidenceReceipt]:
    leaves = uow.ledger.received_indexes(case_id)  # custody ledger (issue 3)
    receipts = [replace(_receipt(e), leaf_index=leaves.get(e.id))
                for e in uow.cases.evidence(case_id)]
    # The files of one report share their received_at: their custody leaves keep the order in
    # which they were given, so exhibit numbers (pièce 1, 2...) follow the upload, not the ids.
    return sorted(receipts, key=lambda r: (r.received_at, r.leaf_index is None,
                                           r.leaf_index or 0))


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
                         detail={"files": sum(not r.already_in_case for r in receipts),
                                 "duplicates": sum(r.already_in_case for r in receipts)})
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
        _shred_witness_contributions(uow, store, case_id)
        uow.cases.delete(case)
        # Custody ledger (issue 3): ids only, so the log stays valid after crypto-shredding.
        uow.ledger.append(custody.shredded(case_id, custody.ActorRole.REPORTER, _now()))
        audit.record(uow, Actor.REPORTER, AuditAction.CASE_WITHDRAWN, case_id=case_id)
        uow.commit()
    log.info("case.withdrawn", case_id=case_id)


def _shred_witness_contributions(uow: UnitOfWork, store: EvidenceStore, case_id: str) -> None:
    """What witnesses sent to the case (issue 14.5) goes with it: their files' keys and their
    statements' keys (the rows go with the case's, by cascade)."""
    repo = witnesses_if_stored(uow)
    if repo is None:  # a unit of work without a database holds no witness rows
        return
    for row in repo.contributions(case_id):
        store.delete_case(row.id)
        repo.shred(row.id)


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
                                        [CaseKind(k) for k in case.kinds], merged,
                                        ReportFacts.from_dict(dict(case.facts or {})))
        uow.commit()
        return case.priority
