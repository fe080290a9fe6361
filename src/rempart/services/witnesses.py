"""Witnesses add to the victim's case (issue 14.5): invitations, contributions, the victim's
decision.

The victim draws an invitation from the case portal (``create_invitation``: a code shown once,
lasting 1 to 30 days, revocable). Whoever the victim gives it to opens ``/temoin`` and sends a
statement and files (``contribute``): the files go into the vault under the contribution's own id
(not the case's), the statement, the optional name and the list of files are sealed with a data
key of the contribution's own (``rempart.evidence.sealed.seal_owned``), and the witness gets a
receipt (each file's SHA-256) and a follow code of their own (``follow``), shown once. Nothing of
it is evidence of the case yet: the victim reads each contribution and decides.

- ``accept``: the files, and the statement as a text file, join the case's evidence like any
  upload, their custody "received" entries naming the role "witness" (never who), then the
  checkpoint is signed and the screenshots are read (OCR) as after any upload. The pending
  copies are deleted; the sealed statement stays for the two follow pages.
- ``decline``: the pending files' keys and the statement's key are deleted: crypto-shredded.
  The row stays with its state, so that the witness's follow code says "declined".

Codes are never stored: a keyed hash for the lookup and an argon2 hash, as for case codes, and
every code typed goes through the same throttle as the case portal's login (counted before the
check, whether or not the code exists). The audit log holds ids and counts, never the words,
the name or an address.
"""

from __future__ import annotations

import hashlib
import hmac
import tempfile
import uuid
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

import structlog

from rempart.domain import custody
from rempart.domain import witnesses as rules
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.staff import Permission
from rempart.domain.witnesses import (
    ContributionAlreadyDecided,
    ContributionStatus,
    InvalidWitnessInput,
    InvitationState,
    WitnessStatement,
)
from rempart.jobs import ocr as ocr_jobs
from rempart.security import hashing, passphrase
from rempart.services import audit
from rempart.services import custody as custody_service
from rempart.services.app import App
from rempart.services.cases import AttemptPolicy, EvidenceReceipt, _store_checked, claim_attempt
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    InvalidReport,
    ServiceError,
    TooManyAttempts,
)
from rempart.services.staff import StaffMember, require_permission
from rempart.services.uploads import CheckedUpload, Upload, check_uploads
from rempart.store.witness_tables import (
    WitnessContributionRecord,
    WitnessInvitationRecord,
    WitnessRepository,
    witnesses,
)

__all__ = ["ContributionAlreadyDecided", "ContributionStatus", "InvalidWitnessInput",
           "WitnessStatement", "InvitationView", "NewInvitation", "PendingFile",
           "ContributionView", "WitnessReceipt", "FollowedContribution", "StaffSummary",
           "TooManyInvitations", "AlreadyDecided", "create_invitation", "invitations",
           "revoke_invitation", "check_invitation", "contribute", "follow", "contributions",
           "pending_count", "staff_summary", "read_pending_file", "accept", "decline"]

INVITATION_PREFIX, FOLLOW_PREFIX, CODE_GROUPS = "INV", "TEM", 4  # 80 random bits each
STATEMENT, NAME = "witness-statement", "witness-name"
STATEMENT_FILE = "temoignage.txt"
log = structlog.get_logger(__name__)


class TooManyInvitations(ServiceError):
    """The case has ``rules.MAX_OPEN_INVITATIONS`` open invitations already."""


class AlreadyDecided(ServiceError):
    """The victim already accepted or declined this contribution."""


@dataclass(frozen=True)
class InvitationView:
    invitation_id: str
    state: InvitationState
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    contributions: int


@dataclass(frozen=True)
class NewInvitation:
    invitation: InvitationView
    code: str  # shown once to the victim, never stored


@dataclass(frozen=True)
class PendingFile:
    item_id: str
    file_name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ContributionView:
    """What the victim reads to decide (the statement and name are opened for them only)."""

    contribution_id: str
    state: ContributionStatus
    statement: str  # "" once declined (shredded)
    name: str | None
    files: list[PendingFile]
    received_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class WitnessReceipt:
    contribution_id: str
    follow_code: str  # shown once to the witness, never stored
    files: list[PendingFile]
    statement_sha256: str | None  # of the statement's UTF-8 text, when there is one
    received_at: datetime
    expires_at: datetime  # of the invitation: until then the witness may add again


@dataclass(frozen=True)
class FollowedContribution:
    """What the witness sees with their follow code: only what they sent, and its state."""

    state: ContributionStatus
    files: list[PendingFile]
    has_statement: bool
    received_at: datetime
    decided_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _code_index(app: App, canonical: str) -> str:
    key = app.settings.secret_bytes("witness_code_key")
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _attempt_key(prefix: str, typed: str) -> str:
    """The throttle key of a code typed: its first two groups (the rest is the secret), or what
    was typed when it cannot be a code."""
    canonical = passphrase.normalize_case_code(typed, prefix, CODE_GROUPS)
    part = canonical[:len(prefix) + 10] if canonical else typed.strip().upper()[:60]
    return hashlib.sha256(f"witness:{part}".encode()).hexdigest()


def _new_code(app: App, prefix: str) -> tuple[str, str, str]:
    """(code, its keyed index, its argon2 hash)."""
    code = passphrase.new_case_code(prefix, CODE_GROUPS)
    return code, _code_index(app, code), hashing.hash_secret(code)


def _view(row: WitnessInvitationRecord, now: datetime, contributions: int) -> InvitationView:
    revoked = _aware(row.revoked_at) if row.revoked_at else None
    return InvitationView(row.id, rules.invitation_state(_aware(row.expires_at), revoked, now),
                          _aware(row.created_at), _aware(row.expires_at), revoked, contributions)


# The victim's side: invitations -------------------------------------------------------------


def create_invitation(app: App, case_id: str, days: int | None = None) -> NewInvitation:
    """A new invitation to the case lasting ``days`` (default 7); InvalidReport for a duration
    out of 1 to 30 days, TooManyInvitations past the open ones allowed, CaseNotFound."""
    now = _now()
    try:
        expires_at = rules.expiry_after(now, days)
    except InvalidWitnessInput as problem:
        raise InvalidReport(str(problem)) from None
    code, index, secret_hash = _new_code(app, INVITATION_PREFIX)
    with app.uow() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        repo = witnesses(uow)
        open_ones = [r for r in repo.invitations(case_id)
                     if _view(r, now, 0).state is InvitationState.OPEN]
        if len(open_ones) >= rules.MAX_OPEN_INVITATIONS:
            raise TooManyInvitations(
                f"at most {rules.MAX_OPEN_INVITATIONS} open invitations: revoke one first")
        row = WitnessInvitationRecord(id=str(uuid.uuid4()), case_id=case_id, code_index=index,
                                      secret_hash=secret_hash, expires_at=expires_at,
                                      revoked_at=None, created_at=now)
        repo.add(row)
        audit.record(uow, Actor.REPORTER, AuditAction.WITNESS_INVITED, case_id=case_id,
                     detail={"invitation": row.id, "days": (expires_at - now).days})
        view = _view(row, now, 0)
        uow.commit()
    return NewInvitation(view, code)


def invitations(app: App, case_id: str) -> list[InvitationView]:
    """The case's invitations, newest first, with how many contributions each brought."""
    now = _now()
    with app.uow() as uow:
        repo = witnesses(uow)
        counts: dict[str, int] = {}
        for contribution in repo.contributions(case_id):
            counts[contribution.invitation_id] = counts.get(contribution.invitation_id, 0) + 1
        return [_view(r, now, counts.get(r.id, 0)) for r in repo.invitations(case_id)]


def revoke_invitation(app: App, case_id: str, invitation_id: str) -> None:
    """The code stops working at once (what it brought stays, for the victim to decide);
    CaseNotFound("invitation") if the case has no such invitation."""
    with app.uow() as uow:
        row = next((r for r in witnesses(uow).invitations(case_id) if r.id == invitation_id),
                   None)
        if row is None:
            raise CaseNotFound("invitation")
        if row.revoked_at is None:
            row.revoked_at = _now()
            audit.record(uow, Actor.REPORTER, AuditAction.WITNESS_INVITATION_REVOKED,
                         case_id=case_id, detail={"invitation": row.id})
        uow.commit()


# The witness's side -------------------------------------------------------------------------


def _policy(app: App) -> AttemptPolicy:
    policy = getattr(app, "attempts", None)
    return policy if isinstance(policy, AttemptPolicy) else AttemptPolicy()


def _checked_code(app: App, prefix: str, typed: str) -> str | None:
    """The canonical code after the throttle has counted the attempt (TooManyAttempts when it
    must wait); None when it cannot be a code."""
    typed = typed[:100]
    with app.uow() as uow:
        wait = claim_attempt(uow, _attempt_key(prefix, typed), _policy(app), _now())
        uow.commit()
    if wait:
        raise TooManyAttempts(wait)
    return passphrase.normalize_case_code(typed, prefix, CODE_GROUPS)


def _verified(app: App, row_hash: str | None, code: str | None) -> bool:
    if row_hash is None or code is None:
        hashing.burn_verify_time(code or "")  # as long as a real check
        return False
    return hashing.verify_secret(row_hash, code)


@dataclass(frozen=True)
class _Invitation:
    """What the witness's pages need of an invitation, read in one unit of work."""

    id: str
    case_id: str
    secret_hash: str
    expires_at: datetime
    revoked_at: datetime | None


def _open_invitation(app: App, typed: str) -> tuple[_Invitation, str]:
    """The open invitation of the code typed (detached) and its canonical code, else
    CaseAccessDenied (same for an unknown, expired or revoked code) or TooManyAttempts."""
    code = _checked_code(app, INVITATION_PREFIX, typed)
    with app.uow() as uow:
        found = witnesses(uow).invitation_by_code_index(_code_index(app, code)) if code else None
        row = _Invitation(found.id, found.case_id, found.secret_hash, _aware(found.expires_at),
                          found.revoked_at) if found is not None else None
    valid = _verified(app, row.secret_hash if row else None, code)
    now = _now()
    if row is None or not valid or code is None or rules.invitation_state(
            row.expires_at, row.revoked_at, now) is not InvitationState.OPEN:
        with app.uow() as uow:
            audit.record(uow, Actor.WITNESS, AuditAction.WITNESS_CODE_REFUSED,
                         case_id=row.case_id if row else None)
            uow.commit()
        raise CaseAccessDenied()
    with app.uow() as uow:
        uow.throttle.clear(_attempt_key(INVITATION_PREFIX, typed[:100]))
        uow.commit()
    return row, code


def check_invitation(app: App, typed: str) -> datetime:
    """When the invitation of this code ends, if it is open (CaseAccessDenied otherwise)."""
    row, _ = _open_invitation(app, typed)
    return _aware(row.expires_at)


def _spooled(data: bytes) -> BinaryIO:
    return _spooled_copy([data])


def _spooled_copy(chunks: Iterable[bytes]) -> BinaryIO:
    """A rewound temporary file holding ``chunks`` (never the whole file in memory)."""
    spool = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115 - closed by the caller
    for chunk in chunks:
        spool.write(chunk)
    spool.seek(0)
    return spool


def contribute(app: App, typed_code: str, typed: WitnessStatement, uploads: list[Upload]
               ) -> WitnessReceipt:
    """Keep a witness's statement and files for the victim to decide; the receipt, with the
    follow code shown once. CaseAccessDenied, TooManyAttempts, InvalidReport (statement),
    UploadRejected (files): nothing is stored then."""
    row, _ = _open_invitation(app, typed_code)
    try:
        statement = rules.validate_statement(typed, len(uploads))
    except InvalidWitnessInput as problem:
        raise InvalidReport(str(problem)) from None
    contribution_id = str(uuid.uuid4())
    follow_code, follow_index, follow_hash = _new_code(app, FOLLOW_PREFIX)
    with app.uow() as uow:
        already = sum(e.size for e in uow.cases.evidence(row.case_id))
    with ExitStack() as stack:
        checked = check_uploads(uploads, app.limits, stack, already_stored=already) \
            if uploads else []
        try:
            with app.uow() as uow:
                if uow.cases.get(row.case_id) is None:
                    raise CaseAccessDenied()  # withdrawn meanwhile
                now = _now()
                files: list[PendingFile] = []
                for upload in checked:
                    item_id = str(uuid.uuid4())
                    blob = app.store.put(contribution_id, item_id, upload.content)
                    if any(f.sha256 == blob.sha256 for f in files):
                        continue  # the same file twice: its bytes are shredded with the rest
                    files.append(PendingFile(item_id, upload.file_name, upload.media_type,
                                             blob.size, blob.sha256))
                document = {"statement": statement.statement,
                            "files": [vars(f) for f in files]}
                repo = witnesses(uow)
                repo.add(WitnessContributionRecord(
                    id=contribution_id, invitation_id=row.id, case_id=row.case_id,
                    state=ContributionStatus.PENDING.value,
                    sealed_statement=repo.seal(contribution_id, STATEMENT, document),
                    sealed_name=(repo.seal(contribution_id, NAME, statement.name)
                                 if statement.name else None),
                    follow_index=follow_index, follow_hash=follow_hash, created_at=now,
                    decided_at=None))
                audit.record(uow, Actor.WITNESS, AuditAction.WITNESS_CONTRIBUTED,
                             case_id=row.case_id,
                             detail={"contribution": contribution_id, "files": len(files),
                                     "statement": bool(statement.statement)})
                uow.commit()
        except BaseException:
            app.store.delete_case(contribution_id)
            raise
    log.info("witness.contributed", case_id=row.case_id, files=len(files))
    digest = (hashlib.sha256(statement.statement.encode("utf-8")).hexdigest()
              if statement.statement else None)
    return WitnessReceipt(contribution_id, follow_code, files, digest, now,
                          _aware(row.expires_at))


def _document(repo: WitnessRepository, row: WitnessContributionRecord) -> dict[str, Any]:
    """The sealed statement and file list, or an empty one once shredded (declined)."""
    opened = repo.open_sealed(row.id, STATEMENT, row.sealed_statement)
    return opened if isinstance(opened, dict) else {"statement": "", "files": []}


def _files(document: dict[str, Any]) -> list[PendingFile]:
    return [PendingFile(str(f["item_id"]), str(f["file_name"]), str(f["media_type"]),
                        int(f["size"]), str(f["sha256"])) for f in document.get("files", [])]


def follow(app: App, typed_code: str) -> FollowedContribution:
    """What the witness sent and what became of it; CaseAccessDenied or TooManyAttempts."""
    code = _checked_code(app, FOLLOW_PREFIX, typed_code)
    with app.uow() as uow:
        repo = witnesses(uow)
        row = repo.contribution_by_follow_index(_code_index(app, code)) if code else None
        if not _verified(app, row.follow_hash if row else None, code) or row is None:
            audit.record(uow, Actor.WITNESS, AuditAction.WITNESS_CODE_REFUSED,
                         case_id=row.case_id if row else None)
            uow.commit()
            raise CaseAccessDenied()
        uow.throttle.clear(_attempt_key(FOLLOW_PREFIX, typed_code[:100]))
        document = _document(repo, row)
        followed = FollowedContribution(
            ContributionStatus(row.state), _files(document), bool(document.get("statement")),
            _aware(row.created_at), _aware(row.decided_at) if row.decided_at else None)
        uow.commit()
    return followed


# The victim decides -------------------------------------------------------------------------


def _contribution_view(repo: WitnessRepository, row: WitnessContributionRecord
                       ) -> ContributionView:
    document = _document(repo, row)
    name: str | None = None
    if row.sealed_name is not None:
        opened = repo.open_sealed(row.id, NAME, row.sealed_name)
        name = opened if isinstance(opened, str) else None
    return ContributionView(row.id, ContributionStatus(row.state),
                            str(document.get("statement", "")), name, _files(document),
                            _aware(row.created_at),
                            _aware(row.decided_at) if row.decided_at else None)


def contributions(app: App, case_id: str, state: ContributionStatus | None = None
                  ) -> list[ContributionView]:
    """The case's contributions, oldest first (only those in ``state`` when given)."""
    with app.uow() as uow:
        repo = witnesses(uow)
        rows = repo.contributions(case_id, state.value if state else None)
        return [_contribution_view(repo, r) for r in rows]


def pending_count(app: App, case_id: str) -> int:
    """How many contributions wait for the victim's decision (nothing is opened)."""
    with app.uow() as uow:
        return len(witnesses(uow).contributions(case_id, ContributionStatus.PENDING.value))


@dataclass(frozen=True)
class StaffSummary:
    """What the back-office shows of a case's witnesses: counts and which evidence items came
    from one (their custody role). Pending and declined contributions are the victim's."""

    accepted: int
    pending: int
    declined: int
    witness_items: frozenset[str]


def staff_summary(app: App, member: StaffMember, case_id: str) -> StaffSummary:
    with app.uow() as uow:
        require_permission(uow, member, Permission.VIEW_CASE)
        states = [r.state for r in witnesses(uow).contributions(case_id)]
        roles = uow.ledger.received_roles(case_id)
    return StaffSummary(states.count(ContributionStatus.ACCEPTED.value),
                        states.count(ContributionStatus.PENDING.value),
                        states.count(ContributionStatus.DECLINED.value),
                        frozenset(i for i, r in roles.items()
                                  if r is custody.ActorRole.WITNESS))


def _pending_row(uow: Any, case_id: str, contribution_id: str) -> WitnessContributionRecord:
    row = witnesses(uow).contribution(case_id, contribution_id)
    if row is None:
        raise CaseNotFound("contribution")
    return row


def read_pending_file(app: App, case_id: str, contribution_id: str, item_id: str
                      ) -> tuple[PendingFile, bytes]:
    """A file of a pending contribution, for the victim to look at before deciding (audited);
    CaseNotFound if the case has no such pending file."""
    with app.uow() as uow:
        row = _pending_row(uow, case_id, contribution_id)
        if row.state != ContributionStatus.PENDING.value:
            raise CaseNotFound("evidence item")
        found = next((f for f in _files(_document(witnesses(uow), row))
                      if f.item_id == item_id),
                     None)
        if found is None:
            raise CaseNotFound("evidence item")
        audit.record(uow, Actor.REPORTER, AuditAction.WITNESS_FILE_VIEWED, case_id=case_id,
                     detail={"contribution": contribution_id, "item_id": item_id})
        uow.commit()
    return found, b"".join(app.store.open(contribution_id, item_id))


def _statement_file(statement: str, name: str | None) -> bytes:
    """The statement as evidence: the witness's words as they wrote them, and the name they
    chose to give, if any (in both languages, for whoever reads the case later)."""
    header = f"Nom donné par le témoin / Name given by the witness: {name}\n\n" if name else ""
    return (header + statement + "\n").encode("utf-8")


def _decide(uow: Any, row: WitnessContributionRecord, accept: bool, now: datetime) -> None:
    try:
        row.state = rules.decide(ContributionStatus(row.state), accept).value
    except ContributionAlreadyDecided:
        raise AlreadyDecided("this contribution was already decided") from None
    row.decided_at = now


def accept(app: App, case_id: str, contribution_id: str) -> list[EvidenceReceipt]:
    """The contribution joins the case's evidence (custody role "witness"); its receipts.
    AlreadyDecided, CaseNotFound."""
    with app.uow() as uow:
        view = _contribution_view(witnesses(uow), _pending_row(uow, case_id, contribution_id))
    if view.state is not ContributionStatus.PENDING:
        raise AlreadyDecided("this contribution was already decided")
    with ExitStack() as stack:
        checked = []
        for pending in view.files:
            content = stack.enter_context(_spooled_copy(
                app.store.open(contribution_id, pending.item_id)))
            checked.append(CheckedUpload(pending.file_name, pending.media_type, pending.size,
                                         content))
        if view.statement:
            text = _statement_file(view.statement, view.name)
            checked.append(CheckedUpload(STATEMENT_FILE, "text/plain", len(text),
                                         stack.enter_context(_spooled(text))))
        with app.uow() as uow:
            row = _pending_row(uow, case_id, contribution_id)
            now = _now()
            _decide(uow, row, True, now)
            receipts = _store_checked(uow, app.store, case_id, checked, now,
                                      role=custody.ActorRole.WITNESS) if checked else []
            case = uow.cases.get(case_id)
            if case is not None:
                case.updated_at = now
            audit.record(uow, Actor.REPORTER, AuditAction.WITNESS_ACCEPTED, case_id=case_id,
                         detail={"contribution": contribution_id,
                                 "files": sum(not r.already_in_case for r in receipts)})
            uow.commit()
    app.store.delete_case(contribution_id)  # the pending copies: the case holds them now
    custody_service.sign_checkpoint(app.uow(), app.settings)
    ocr_jobs.request_ocr(app, case_id)
    log.info("witness.accepted", case_id=case_id, files=len(receipts))
    return receipts


def decline(app: App, case_id: str, contribution_id: str) -> None:
    """Crypto-shred the contribution (its files' keys and its statement's key); its row stays,
    so that the witness's follow code says it was declined. AlreadyDecided, CaseNotFound."""
    with app.uow() as uow:
        row = _pending_row(uow, case_id, contribution_id)
        _decide(uow, row, False, _now())
        witnesses(uow).shred(contribution_id)
        audit.record(uow, Actor.REPORTER, AuditAction.WITNESS_DECLINED, case_id=case_id,
                     detail={"contribution": contribution_id})
        uow.commit()
    app.store.delete_case(contribution_id)
    log.info("witness.declined", case_id=case_id)
